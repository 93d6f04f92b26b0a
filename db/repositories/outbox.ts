/**
 * The outbox: jobs implied by state changes, written in the same transaction as the change. The relay
 * claims pending rows and hands them to BullMQ (jobId = job_id); a processor marks its row done in
 * the same transaction as its effect; the reconciler puts rows whose BullMQ job vanished back to pending.
 */
import { and, asc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { outbox } from '../schema/index.js';

export type OutboxRow = typeof outbox.$inferSelect;
/** A job to write: its queue, its name (which processor runs it), its id (from domain ids) and its payload. */
export type NewOutboxJob = { queue: string; name: string; jobId: string; payload: unknown };

/** Writes jobs (same job id twice is a no-op); returns the ids that were new. */
export async function writeOutbox(tx: Tx, jobs: readonly NewOutboxJob[]): Promise<string[]> {
  if (!jobs.length) return [];
  const rows = await tx
    .insert(outbox)
    .values(jobs.map((j) => ({ queue: j.queue, name: j.name, jobId: j.jobId, payload: j.payload as object })))
    .onConflictDoNothing({ target: outbox.jobId })
    .returning({ jobId: outbox.jobId });
  return rows.map((r) => r.jobId);
}

/**
 * Claims up to `limit` pending rows (locked, skipping rows another relay holds), lets `hand` enqueue
 * them, then marks them enqueued — all in one transaction, so a crash leaves them pending.
 */
export async function relayPending(db: Db, limit: number, hand: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(outbox)
      .where(eq(outbox.status, 'pending'))
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (!rows.length) return 0;
    await hand(rows);
    await tx
      .update(outbox)
      .set({ status: 'enqueued', enqueuedAt: sql`now()` })
      .where(
        and(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
          eq(outbox.status, 'pending'),
        ),
      );
    return rows.length;
  });
}

/** Takes a transaction-scoped advisory lock on `key`: writers of the same key run one after the other. */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

/** The same lock shared: holders of it run side by side, and wait for (and hold off) a holder of `lockKey`. */
export async function lockKeyShared(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtext(${key}))`);
}

/** The job `baseJobId` and its later runs (`<base>.r2`, `<base>.r3`, …; not the jobs a run wrote, such as `<base>.r2.part1`) with their status. */
export async function runsOf(tx: Tx, baseJobId: string): Promise<{ jobId: string; status: OutboxRow['status'] }[]> {
  return tx
    .select({ jobId: outbox.jobId, status: outbox.status })
    .from(outbox)
    .where(or(eq(outbox.jobId, baseJobId), sql`${outbox.jobId} ~ ${`^${baseJobId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.r[0-9]+$`}`));
}

export async function findOutbox(db: Tx, jobId: string): Promise<OutboxRow | null> {
  const [row] = await db.select().from(outbox).where(eq(outbox.jobId, jobId)).limit(1);
  return row ?? null;
}

/** Counts one more start of the job's processor; returns the row (null for jobs without one). */
export async function countRun(db: Tx, jobId: string): Promise<OutboxRow | null> {
  const [row] = await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.jobId, jobId))
    .returning();
  return row ?? null;
}

export async function markDone(tx: Tx, jobId: string): Promise<void> {
  await tx
    .update(outbox)
    .set({ status: 'done', doneAt: sql`now()`, lastError: null })
    .where(eq(outbox.jobId, jobId));
}

export async function markFailed(db: Tx, jobId: string, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'failed', lastError: error.slice(0, 2000) })
    .where(and(eq(outbox.jobId, jobId), sql`${outbox.status} <> 'done'`));
}

export async function noteError(db: Tx, jobId: string, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ lastError: error.slice(0, 2000) })
    .where(eq(outbox.jobId, jobId));
}

/** Enqueued rows older than `olderThan`: the reconciler checks each one still has its BullMQ job. */
export async function openEnqueued(db: Tx, olderThan: Date, limit: number): Promise<OutboxRow[]> {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'enqueued'), or(lt(outbox.enqueuedAt, olderThan), sql`${outbox.enqueuedAt} is null`)))
    .orderBy(asc(outbox.id))
    .limit(limit);
}

export async function backToPending(db: Tx, jobIds: readonly string[]): Promise<void> {
  if (!jobIds.length) return;
  await db
    .update(outbox)
    .set({ status: 'pending', enqueuedAt: null })
    .where(and(inArray(outbox.jobId, [...jobIds]), eq(outbox.status, 'enqueued')));
}

/** Queue health: counts per queue and status. */
export async function outboxCounts(db: Tx) {
  return db
    .select({ queue: outbox.queue, status: outbox.status, count: sql<number>`count(*)::int` })
    .from(outbox)
    .groupBy(outbox.queue, outbox.status)
    .orderBy(outbox.queue, outbox.status);
}

/** The row, locked until the transaction ends: a second run of the same job waits, then sees "done". */
export async function lockOutbox(tx: Tx, jobId: string): Promise<OutboxRow | null> {
  const [row] = await tx.select().from(outbox).where(eq(outbox.jobId, jobId)).limit(1).for('update');
  return row ?? null;
}

/** Jobs that failed for good, newest first, for the operator. */
export async function failedJobs(db: Tx, limit: number) {
  return db
    .select()
    .from(outbox)
    .where(eq(outbox.status, 'failed'))
    .orderBy(sql`${outbox.id} desc`)
    .limit(limit);
}

/** A failed job back to pending (the relay enqueues it again); returns null when the job is not failed. */
export async function retryFailed(db: Tx, jobId: string): Promise<OutboxRow | null> {
  const [row] = await db
    .update(outbox)
    .set({ status: 'pending', enqueuedAt: null })
    .where(and(eq(outbox.jobId, jobId), eq(outbox.status, 'failed')))
    .returning();
  return row ?? null;
}
