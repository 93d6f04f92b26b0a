/**
 * The reconciler: the database is the source of truth. Every outbox row still open is checked
 * against BullMQ; a row whose job is gone (Redis restarted empty, FLUSHALL, an add lost between
 * Redis and the commit) goes back to pending and the relay enqueues it again. A job that failed for
 * good marks its row failed (visible in queue health). It also re-creates the schedulers and, with
 * `catchUp`, writes the periodic jobs a lost scheduler tick would have written.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { backToPending, findOutbox, markFailed, openEnqueued, writeOutbox } from '../db/repositories/outbox.js';
import { periodicJobs } from '../app/outbox-jobs.js';
import { shanghaiDate } from '../domain/dates.js';
import { isQueueName, type Queues } from './queues.js';
import { ensureSchedulers } from './schedulers.js';

export const RECONCILE_BATCH = 1000;

export async function reconcileOnce(options: {
  db: Db;
  queues: Queues;
  logger: Logger;
  now: () => Date;
  catchUp: boolean;
  graceMs: number;
}): Promise<{ requeued: number; failed: number }> {
  const { db, queues, logger } = options;
  let requeued = 0;
  let failed = 0;
  const rows = await openEnqueued(db, new Date(Date.now() - options.graceMs), RECONCILE_BATCH);
  const lost: string[] = [];
  for (const row of rows) {
    if (!isQueueName(row.queue)) continue;
    const job = await queues[row.queue].getJob(row.jobId);
    if (!job) {
      lost.push(row.jobId);
      continue;
    }
    const state = await job.getState();
    if (state === 'failed') {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade >= attempts || /Unrecoverable/.test(job.failedReason ?? '')) {
        await markFailed(db, row.jobId, job.failedReason ?? 'failed');
        failed += 1;
      }
    } else if (state === 'completed' || state === 'unknown') {
      // the processor finished without marking its row (or the job is half-gone): run it again
      const fresh = await findOutbox(db, row.jobId);
      if (fresh?.status === 'enqueued') {
        await job.remove().catch(() => undefined);
        lost.push(row.jobId);
      }
    }
  }
  if (lost.length) {
    await backToPending(db, lost);
    requeued = lost.length;
    logger.warn({ count: lost.length, sample: lost.slice(0, 5) }, 'outbox jobs missing from Redis; back to pending');
  }
  await ensureSchedulers(queues);
  if (options.catchUp) await writeOutbox(db, periodicJobs(shanghaiDate(options.now())));
  return { requeued, failed };
}
