/** API keys and operators' second factors: plain rows in and out. */
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/actor.js';
import type { Tx } from '../client.js';
import { apiKeys, institutions, recoveryCodes, totpFactors, users } from '../schema/index.js';
import { actorColumns } from './actors.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type TotpFactorRow = typeof totpFactors.$inferSelect;

/** The key with this hash and its actor, while the key is live (not revoked, not expired at `now`) and its user not revoked. */
export async function findLiveKey(
  db: Tx,
  sha256: string,
  now: Date,
): Promise<{ actor: Actor; key: Pick<ApiKeyRow, 'id' | 'readOnly' | 'lastUsedAt'> } | null> {
  const rows = await db
    .select({ actor: actorColumns, key: { id: apiKeys.id, readOnly: apiKeys.readOnly, lastUsedAt: apiKeys.lastUsedAt } })
    .from(apiKeys)
    .innerJoin(users, eq(apiKeys.userId, users.id))
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(
      and(
        eq(apiKeys.sha256, sha256),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
        isNull(users.revokedAt),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/** Records a use of the key, unless one was recorded in the last `minSeconds` (so a busy key costs one write a minute). */
export async function touchKey(db: Tx, keyId: string, now: Date, address: string | null, minSeconds: number) {
  const before = new Date(now.getTime() - minSeconds * 1000);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now, lastUsedAddress: address })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lte(apiKeys.lastUsedAt, before))));
}

export async function insertApiKey(
  db: Tx,
  input: {
    userId: string;
    sha256: string;
    label?: string | null;
    readOnly?: boolean;
    expiresAt?: Date | null;
    createdBy?: string | null;
    rotatedFrom?: string | null;
    createdAt?: Date;
  },
): Promise<ApiKeyRow> {
  const [row] = await db
    .insert(apiKeys)
    .values({
      userId: input.userId,
      sha256: input.sha256,
      label: input.label ?? null,
      readOnly: input.readOnly ?? false,
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
      rotatedFrom: input.rotatedFrom ?? null,
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    })
    .returning();
  return row;
}

/** The key `id`, locked for the rest of the transaction. */
export async function findKeyForUpdate(db: Tx, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
  return row ?? null;
}

export async function keyRotatedFrom(db: Tx, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.rotatedFrom, id)).limit(1);
  return row ?? null;
}

export async function updateKey(db: Tx, id: string, change: Partial<Pick<ApiKeyRow, 'revokedAt' | 'revokedBy' | 'expiresAt'>>) {
  const [row] = await db.update(apiKeys).set(change).where(eq(apiKeys.id, id)).returning();
  return row;
}

/** A user with its institution's code and kind. */
export async function findUserWithInstitution(db: Tx, userId: string) {
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      isAdmin: users.isAdmin,
      revokedAt: users.revokedAt,
      institutionId: users.institutionId,
      institutionCode: institutions.code,
    })
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(eq(users.id, userId));
  return row ?? null;
}

export async function findTotpFactor(db: Tx, userId: string): Promise<TotpFactorRow | null> {
  const [row] = await db.select().from(totpFactors).where(eq(totpFactors.userId, userId));
  return row ?? null;
}

/** Locks the user's factor row for a check-and-set of its last step. */
export async function findTotpFactorForUpdate(db: Tx, userId: string): Promise<TotpFactorRow | null> {
  const [row] = await db.select().from(totpFactors).where(eq(totpFactors.userId, userId)).for('update');
  return row ?? null;
}

/** Starts (or restarts, while unconfirmed) an enrolment with `secret`; an enabled factor is kept. */
export async function upsertPendingTotp(db: Tx, userId: string, secret: string, now: Date): Promise<TotpFactorRow> {
  await db
    .insert(totpFactors)
    .values({ userId, secret, createdAt: now })
    .onConflictDoUpdate({ target: totpFactors.userId, set: { secret, createdAt: now }, setWhere: isNull(totpFactors.enabledAt) });
  return (await findTotpFactor(db, userId))!;
}

export async function updateTotpFactor(db: Tx, userId: string, change: Partial<Pick<TotpFactorRow, 'enabledAt' | 'lastStep'>>) {
  await db.update(totpFactors).set(change).where(eq(totpFactors.userId, userId));
}

export async function replaceRecoveryCodes(db: Tx, userId: string, sha256s: string[]) {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (sha256s.length) await db.insert(recoveryCodes).values(sha256s.map((sha256) => ({ userId, sha256 })));
}

/** Marks an unused recovery code used; true when it was one. */
export async function useRecoveryCode(db: Tx, userId: string, sha256: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.sha256, sha256), isNull(recoveryCodes.usedAt)))
    .returning({ userId: recoveryCodes.userId });
  return rows.length > 0;
}

export async function unusedRecoveryCodes(db: Tx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return row.n;
}
