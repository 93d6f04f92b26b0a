/**
 * The job system inside a process: queues, the outbox relay, the reconciler, the schedulers and —
 * when `workers` is 'inline' — one worker per queue. The service starts it (workers inline by
 * default, or 'off' when `npm run worker` processes do the work); jobs/worker.ts starts it with
 * workers on. Every processor runs under a timeout, with bounded attempts; a permanent failure
 * (UnrecoverableError) or the last attempt marks the outbox row failed.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { markDeliveriesFailed } from '../db/repositories/outbox-webhooks.js';
import { countRun, markFailed, noteError, outboxCounts, writeOutbox } from '../db/repositories/outbox.js';
import { periodicJobs } from '../app/outbox-jobs.js';
import { shanghaiDate } from '../domain/dates.js';
import { QUEUE_NAMES, type QueueName } from '../domain/job-ids.js';
import { webhookFetch } from '../platform/webhook-transport.js';
import { QUEUES } from './queues.js';
import { assign } from './processors/assign.js';
import { compile } from './processors/compile.js';
import { compileQuarter, compileQuarterPart } from './processors/compile-quarter.js';
import { correct } from './processors/correct.js';
import { interestAccrual, maturityScan } from './processors/daily.js';
import { notify } from './processors/notify.js';
import { publish } from './processors/publish.js';
import { upload } from './processors/upload.js';
import type { JobContext, Processor } from './processors/types.js';
import { createQueues, type Queues, type RetryOverrides } from './queues.js';
import { reconcileOnce } from './reconciler.js';
import { every, relayOnce } from './relay.js';
import { ensureSchedulers } from './schedulers.js';

export type JobRuntime = {
  redisPing(): Promise<boolean>;
  /**
   * Stops by `deadline` (epoch ms; default STOP_WITHIN_MS from now) whatever Redis does: the loops, the
   * workers (active jobs may finish until then; one that does not stays open in the outbox and is taken
   * up again once its lock runs out) and the queues close side by side.
   */
  stop(deadline?: number): Promise<void>;
  prefix: string;
  queues: Queues;
  /** moves pending outbox rows to BullMQ now (the relay also runs on its own timer) */
  relayNow(): Promise<number>;
  /** checks open outbox rows against BullMQ now (also on its own timer) */
  reconcileNow(): Promise<{ requeued: number; failed: number }>;
  /** queue health: outbox counts per queue and status, and BullMQ's own counts */
  health(): Promise<{ outbox: { queue: string; status: string; count: number }[]; queues: Record<string, Record<string, number>> }>;
};

export type JobRuntimeOptions = {
  database: Database;
  redisUrl: string;
  logger: Logger;
  workers: 'inline' | 'off';
  now: () => Date;
  /** BullMQ key prefix (tests use a random one); default 'cerf' */
  prefix?: string;
  relayIntervalMs?: number;
  reconcileIntervalMs?: number;
  /** open rows younger than this are not reconciled yet */
  reconcileGraceMs?: number;
  /** write the periodic jobs a lost scheduler tick would have written (default true) */
  catchUp?: boolean;
  /** run the schedulers (default true) */
  schedulers?: boolean;
  concurrency?: number;
  fetch?: typeof fetch;
  /** a name for this process's workers, in logs */
  workerName?: string;
  /** overrides of the queues' attempts and backoff (tests) */
  retry?: RetryOverrides;
};

const PROCESSORS: Record<QueueName, (name: string) => Processor> = {
  compile: (name) =>
    name === 'compile-quarter'
      ? compileQuarter
      : name === 'compile-quarter-part'
        ? compileQuarterPart
        : name === 'correct'
          ? correct
          : compile,
  assign: () => assign,
  publish: () => publish,
  'maturity-scan': () => maturityScan,
  'interest-accrual': () => interestAccrual,
  notify: () => notify,
  upload: () => upload,
};

class JobTimeout extends Error {}

/** how long a health probe waits for Redis */
const PROBE_TIMEOUT_MS = 2_000;
/** how long a stop may take when no deadline is given */
const STOP_WITHIN_MS = 8_000;
/** a job's lock in BullMQ, renewed every LOCK_RENEW_MS while it runs; stalled jobs are looked for every STALLED_CHECK_MS */
const LOCK_MS = 15_000;
const LOCK_RENEW_MS = 5_000;
const STALLED_CHECK_MS = 5_000;
/** a job whose worker died this many times fails (each run is still done at most once: the outbox row says so) */
const MAX_STALLS = 3;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobTimeout(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function startJobRuntime(options: JobRuntimeOptions): Promise<JobRuntime> {
  const { database, logger } = options;
  const db = database.db;
  const prefix = options.prefix ?? 'cerf';
  const redisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = new Redis(options.redisUrl, redisOptions);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  // the health probe's own connection: no offline queue, so while Redis is unreachable a ping fails at
  // once instead of waiting for a reconnection (the other connections queue their commands meanwhile)
  const probe = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: PROBE_TIMEOUT_MS });
  probe.on('error', () => {});
  const redisPing = () =>
    withTimeout(probe.ping(), PROBE_TIMEOUT_MS, 'redis ping').then(
      (r) => r === 'PONG',
      () => false,
    );
  const queues = createQueues(redis, prefix);
  for (const q of Object.values(queues)) q.on('error', (err) => logger.warn({ err: err.message, queue: q.name }, 'queue error'));
  const ctx: JobContext = { db, driver: database.driver, now: options.now, logger, fetch: options.fetch ?? webhookFetch };

  /** A scheduler tick becomes the outbox row of its day (or quarter), so it runs exactly once: the periodic job of its queue. */
  const tickToOutbox = async (queue: QueueName) => {
    await writeOutbox(
      db,
      periodicJobs(shanghaiDate(options.now())).filter((j) => j.queue === queue),
    );
    return 'tick written to outbox';
  };

  const relayNow = () => relayOnce(db, queues, logger, options.retry);

  const workers: Worker[] = [];
  // a worker does not close a connection it was handed, so stop() closes these itself
  const workerConnections: Redis[] = [];
  if (options.workers === 'inline') {
    for (const queue of QUEUE_NAMES) {
      const limits = QUEUES[queue];
      const connection = new Redis(options.redisUrl, redisOptions);
      workerConnections.push(connection);
      connection.on('error', (err) => logger.warn({ err: err.message }, 'redis worker connection error'));
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const jobId = String(job.id);
          if (jobId.startsWith('repeat:')) return tickToOutbox(queue);
          const row = await countRun(db, jobId);
          if (row && row.status === 'done') return 'already_done';
          const processor = PROCESSORS[queue](job.name);
          const outcome = await withTimeout(
            processor(ctx, {
              id: jobId,
              name: job.name,
              data: job.data,
              attemptsMade: job.attemptsMade,
              maxAttempts: job.opts.attempts ?? limits.attempts,
            }),
            limits.timeoutMs,
            `job ${jobId}`,
          );
          logger.debug({ job: jobId, outcome, worker: options.workerName }, 'job done');
          // the jobs it wrote (a fan-out's parts, a version's notification) start now, not at the next tick
          if (queue !== 'notify') void relayNow().catch(() => undefined);
          return outcome;
        },
        {
          connection,
          prefix,
          // an upload holds one chunk of rows in memory and one transaction: one at a time per process
          concurrency: queue === 'upload' ? 1 : (options.concurrency ?? (queue === 'notify' ? 8 : 2)),
          // a short lock renewed while the job runs: a job whose process died is taken up again within
          // LOCK_MS + 2 × STALLED_CHECK_MS, however long the job may run
          lockDuration: LOCK_MS,
          lockRenewTime: LOCK_RENEW_MS,
          stalledInterval: STALLED_CHECK_MS,
          maxStalledCount: MAX_STALLS,
          name: options.workerName,
        },
      );
      worker.on('failed', (job, err) => {
        if (!job?.id) return;
        const jobId = String(job.id);
        const final =
          err instanceof UnrecoverableError ||
          err.name === 'UnrecoverableError' ||
          job.attemptsMade >= (job.opts.attempts ?? limits.attempts);
        const message = `${err.name}: ${err.message}`;
        logger.warn({ job: jobId, attemptsMade: job.attemptsMade, final, err: err.message }, 'job failed');
        const record = final
          ? markFailed(db, jobId, message).then(() => (queue === 'notify' ? markDeliveriesFailed(db, jobId, message) : undefined))
          : noteError(db, jobId, message);
        record.catch((e) => logger.error({ err: (e as Error).message }, 'could not record job failure'));
      });
      worker.on('error', (err) => logger.warn({ err: err.message, queue }, 'worker error'));
      workers.push(worker);
    }
  }

  const reconcileNow = () =>
    reconcileOnce({ db, queues, logger, now: options.now, catchUp: options.catchUp ?? true, graceMs: options.reconcileGraceMs ?? 5_000 });
  if (options.schedulers ?? true)
    await ensureSchedulers(queues).catch((err) =>
      logger.warn({ err: (err as Error).message }, 'could not set up schedulers yet; the reconciler retries'),
    );
  const relayLoop = every(options.relayIntervalMs ?? 250, relayNow, logger, 'outbox relay');
  const reconcileLoop = every(options.reconcileIntervalMs ?? 30_000, reconcileNow, logger, 'reconciler');

  return {
    prefix,
    queues,
    redisPing,
    relayNow,
    reconcileNow,
    health: async () => {
      const outbox = await outboxCounts(db);
      const counts: Record<string, Record<string, number>> = {};
      for (const [name, q] of Object.entries(queues))
        counts[name] = await withTimeout(
          q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'),
          PROBE_TIMEOUT_MS,
          'job counts',
        ).catch(() => ({}));
      return { outbox, queues: counts };
    },
    stop: async (deadline = Date.now() + STOP_WITHIN_MS) => {
      // every step side by side under one deadline: while Redis is unreachable a relay tick, a worker or a
      // queue never settles. Graceful meanwhile: active jobs may finish, no new ones are taken.
      const bounded = (step: Promise<unknown>, what: string) =>
        withTimeout(step, Math.max(0, deadline - Date.now()), what).catch((err: unknown) =>
          logger.warn({ err: (err as Error).message }, 'shutdown step cut short'),
        );
      await Promise.all([
        bounded(Promise.all([relayLoop.stop(), reconcileLoop.stop()]), 'outbox relay and reconciler stop'),
        bounded(Promise.all(workers.map((w) => w.close().catch(() => undefined))), 'workers close'),
        bounded(Promise.all(Object.values(queues).map((q) => q.close().catch(() => undefined))), 'queues close'),
      ]);
      for (const connection of workerConnections) connection.disconnect();
      redis.disconnect();
      probe.disconnect();
    },
  };
}

export const randomPrefix = () => `t${randomUUID().slice(0, 8)}`;
