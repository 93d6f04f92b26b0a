/**
 * Runs a use case for a job: one transaction holding the use case's effect and the outbox row's
 * "done", the service acting (no actor) at the runtime's time. A refusal fails the job for good
 * (retrying cannot change the rule's answer), except the statuses named `retryable` (e.g. no verifier
 * registered yet), which BullMQ retries with backoff. On the embedded database the job then gives way to
 * the requests waiting for its one connection (db/give-way.ts) before the worker takes the next job.
 */
import { UnrecoverableError } from 'bullmq';
import { perform, settled, type UseCaseContext } from '../../app/perform.js';
import type { RefusalStatus } from '../../app/refusals.js';
import { giveWay } from '../../db/give-way.js';
import { markDone } from '../../db/repositories/outbox.js';
import type { JobContext, JobInput } from './types.js';

export async function performJob<T>(
  ctx: JobContext,
  job: JobInput,
  work: (uc: UseCaseContext) => Promise<T>,
  options: { retryable?: RefusalStatus[] } = {},
): Promise<T> {
  const startedAt = performance.now();
  const done = await settled(
    perform(ctx.db, { now: ctx.now(), actor: null }, async (uc) => {
      const value = await work(uc);
      await markDone(uc.tx, job.id);
      return value;
    }),
  );
  await giveWay(ctx.db, startedAt);
  if (done.ok) return done.value;
  if (options.retryable?.includes(done.status)) throw new Error(done.message);
  throw new UnrecoverableError(done.message);
}
