import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Jobs implied by state changes, written in the same transaction as the change (the database is the
 * source of truth). A relay copies pending rows to BullMQ; a reconciler re-enqueues what is not done.
 * `name` picks the processor (BullMQ's job name). `attempts` counts starts of the job's processor; `failed` rows are listed for the operator.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    queue: text('queue').notNull(),
    /** the job's name within its queue (a queue may run several kinds: 'compile-quarter' and 'compile'); the processor is chosen by it */
    name: text('name').notNull(),
    /** deterministic, derived from domain ids (e.g. 'compile.CITIC.2022Q3.v1'; BullMQ refuses ':'): also the BullMQ job id, so duplicates are dropped */
    jobId: text('job_id').notNull().unique(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'enqueued', 'done', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    index('outbox_open')
      .on(t.status)
      .where(sql`${t.status} in ('pending','enqueued')`),
  ],
);
