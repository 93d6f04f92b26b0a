/** Page sessions, sign-in attempt counters and generated secrets. */
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/actor.js';
import type { Tx } from '../client.js';
import { apiKeys, institutions, signInAttempts, users, webSecrets, webSessions } from '../schema/index.js';
import { actorColumns } from './actors.js';

/** The stored secret called `name`, created (random, 32 bytes) on first use; concurrent callers agree. */
export async function secretNamed(db: Tx, name: string): Promise<string> {
  await db
    .insert(webSecrets)
    .values({ name, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing({ target: webSecrets.name });
  const [row] = await db.select({ value: webSecrets.value }).from(webSecrets).where(eq(webSecrets.name, name));
  return row.value;
}

export async function insertSession(
  db: Tx,
  input: { tokenSha256: string; userId: string; method: 'password' | 'api_key'; expiresAt: Date; apiKeyId?: string | null },
) {
  await db.insert(webSessions).values(input);
}

/**
 * The actor behind a live session (not expired, not revoked, user not revoked, and the API key it was
 * opened with still live), with when it passed the second factor, or null.
 */
export async function findSessionActor(db: Tx, tokenSha256: string, now: Date): Promise<(Actor & { secondFactorAt: Date | null }) | null> {
  const rows = await db
    .select({ ...actorColumns, secondFactorAt: webSessions.secondFactorAt })
    .from(webSessions)
    .innerJoin(users, eq(webSessions.userId, users.id))
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .leftJoin(apiKeys, eq(apiKeys.id, webSessions.apiKeyId))
    .where(
      and(
        eq(webSessions.tokenSha256, tokenSha256),
        isNull(webSessions.revokedAt),
        gt(webSessions.expiresAt, now),
        isNull(users.revokedAt),
        or(isNull(webSessions.apiKeyId), and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)))),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/** Records that the session passed the second factor. */
export async function markSecondFactor(db: Tx, tokenSha256: string, now: Date) {
  await db.update(webSessions).set({ secondFactorAt: now }).where(eq(webSessions.tokenSha256, tokenSha256));
}

export async function revokeSession(db: Tx, tokenSha256: string, now: Date) {
  await db.update(webSessions).set({ revokedAt: now }).where(eq(webSessions.tokenSha256, tokenSha256));
}

/** Users of an institution with this name who have a password (candidates for password sign-in). */
export async function findPasswordUsers(db: Tx, institutionCode: string, userName: string) {
  return db
    .select({ userId: users.id, passwordHash: users.passwordHash })
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(and(eq(institutions.code, institutionCode), eq(users.name, userName), isNull(users.revokedAt)))
    .limit(5);
}

/**
 * Counts one attempt under `key` in a fixed window of `windowSeconds` starting at the first attempt,
 * atomically, and returns the count including this one.
 */
export async function countAttempt(db: Tx, key: string, now: Date, windowSeconds: number): Promise<number> {
  const windowStart = new Date(now.getTime() - windowSeconds * 1000);
  const [row] = await db
    .insert(signInAttempts)
    .values({ key, windowStartedAt: now, attempts: 1 })
    .onConflictDoUpdate({
      target: signInAttempts.key,
      set: {
        attempts: sql`case when ${signInAttempts.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz then 1 else ${signInAttempts.attempts} + 1 end`,
        windowStartedAt: sql`case when ${signInAttempts.windowStartedAt} <= ${windowStart.toISOString()}::timestamptz then ${now.toISOString()}::timestamptz else ${signInAttempts.windowStartedAt} end`,
      },
    })
    .returning({ attempts: signInAttempts.attempts });
  return row.attempts;
}

export async function clearAttempts(db: Tx, key: string) {
  await db.delete(signInAttempts).where(eq(signInAttempts.key, key));
}

/** The role of a user, or null when there is no such user. */
export async function findUserRole(db: Tx, userId: string): Promise<'operator' | 'bank' | 'verifier' | null> {
  const [row] = await db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  return row?.role ?? null;
}
