/**
 * `Idempotency-Key` records: the first request with a key claims it (an in-progress row), its answer
 * is stored when sent; a 5xx releases it unless its write transaction committed (`write_committed`). The middleware (process/idempotency.ts) decides; these are its
 * queries, on the database itself (outside any request transaction).
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { idempotencyKeys } from '../schema/index.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

const byKey = (userId: string, key: string) => and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key));

/** Claims (user, key) with `inProgressStatus`; false when the key is already claimed. */
export async function claimIdempotencyKey(
  db: Tx,
  input: { userId: string; key: string; method: string; path: string; requestSha256: string; inProgressStatus: number },
): Promise<boolean> {
  const claimed = await db
    .insert(idempotencyKeys)
    .values({
      userId: input.userId,
      key: input.key,
      method: input.method,
      path: input.path,
      requestSha256: input.requestSha256,
      responseStatus: input.inProgressStatus,
      responseBody: '',
    })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return claimed.length > 0;
}

export async function findIdempotencyKey(db: Tx, userId: string, key: string): Promise<IdempotencyRow | null> {
  const [stored] = await db.select().from(idempotencyKeys).where(byKey(userId, key));
  return stored ?? null;
}

/** Stores the first answer under the key (a claim still in progress only: an answer is never replaced). */
export async function recordIdempotentResponse(
  db: Tx,
  r: { userId: string; key: string; status: number; body: string; inProgressStatus: number; requestSha256?: string },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: r.status, responseBody: r.body, ...(r.requestSha256 ? { requestSha256: r.requestSha256 } : {}) })
    .where(and(byKey(r.userId, r.key), eq(idempotencyKeys.responseStatus, r.inProgressStatus)));
}

/** Inside the request's write transaction: the claim's write committed exactly when this transaction does. */
export async function markIdempotentWrite(tx: Tx, userId: string, key: string): Promise<void> {
  await tx.update(idempotencyKeys).set({ writeCommitted: true }).where(byKey(userId, key));
}

/**
 * Settles a claim whose request failed (5xx) or was abandoned: a claim whose write never committed is
 * released; one whose write committed keeps the key, answered with `committedStatus`/`committedBody`.
 */
export async function settleFailedClaim(
  db: Tx,
  input: { userId: string; key: string; inProgressStatus: number; committedStatus: number; committedBody: string },
): Promise<void> {
  const open = and(byKey(input.userId, input.key), eq(idempotencyKeys.responseStatus, input.inProgressStatus));
  await db.delete(idempotencyKeys).where(and(open, eq(idempotencyKeys.writeCommitted, false)));
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: input.committedStatus, responseBody: input.committedBody })
    .where(and(open, eq(idempotencyKeys.writeCommitted, true)));
}

/**
 * Renews the lease of a claim still in progress. A claim whose row the request's own write transaction
 * holds is skipped (that transaction proves the claim alive, and waiting for it would hold the renewal).
 */
export async function renewIdempotencyClaim(db: Tx, userId: string, key: string, inProgressStatus: number): Promise<void> {
  await db.execute(sql`update idempotency_keys set heartbeat_at = now()
    where (user_id, key) in (
      select user_id, key from idempotency_keys
      where user_id = ${userId} and key = ${key} and response_status = ${inProgressStatus}
      for update skip locked)`);
}

/**
 * True when the claim of (user, key) is still in progress but its lease was last renewed more than
 * `staleSeconds` ago and no open transaction holds it: the process that claimed it died.
 */
export async function isAbandonedClaim(
  db: Tx,
  userId: string,
  key: string,
  inProgressStatus: number,
  staleSeconds: number,
): Promise<boolean> {
  const rows = await db
    .select({ key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(
      and(
        byKey(userId, key),
        eq(idempotencyKeys.responseStatus, inProgressStatus),
        sql`${idempotencyKeys.heartbeatAt} < now() - make_interval(secs => ${staleSeconds})`,
      ),
    )
    .for('update', { skipLocked: true });
  return rows.length > 0;
}

/** Deletes the record of (user, key) if it was created before `before` (an expired answer); true when it did. */
export async function deleteExpiredIdempotencyKey(db: Tx, userId: string, key: string, before: Date): Promise<boolean> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(and(byKey(userId, key), lt(idempotencyKeys.createdAt, before)))
    .returning({ key: idempotencyKeys.key });
  return rows.length > 0;
}

/** Deletes every record created before `before`; returns how many. */
export async function deleteIdempotencyKeysBefore(db: Tx, before: Date): Promise<number> {
  const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).returning({ key: idempotencyKeys.key });
  return rows.length;
}
