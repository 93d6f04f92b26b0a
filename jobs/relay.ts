/**
 * The outbox relay: moves pending outbox rows to BullMQ (jobId = outbox job_id, so a row relayed twice
 * is still one job; the job's name = outbox name, which picks its processor) and marks them enqueued in the same transaction that claimed them. Several
 * relays (service and worker processes) can run at once: rows are claimed with SKIP LOCKED.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { relayPending } from '../db/repositories/outbox.js';
import { isQueueName, jobOptions, type Queues, type RetryOverrides } from './queues.js';

export const RELAY_BATCH = 500;

export async function relayOnce(db: Db, queues: Queues, logger: Logger, retry: RetryOverrides = {}): Promise<number> {
  let moved = 0;
  for (;;) {
    const n = await relayPending(db, RELAY_BATCH, async (rows) => {
      const byQueue = new Map<string, typeof rows>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      for (const [queue, list] of byQueue) {
        if (!isQueueName(queue)) {
          logger.error({ queue }, 'outbox row names an unknown queue; left pending');
          throw new Error(`unknown queue ${queue}`);
        }
        await queues[queue].addBulk(list.map((row) => ({ name: row.name, data: row.payload, opts: jobOptions(queue, row.jobId, retry) })));
      }
    });
    moved += n;
    if (n < RELAY_BATCH) return moved;
  }
}

/** Runs `fn` every `intervalMs` until stopped; errors are logged, never thrown. */
export function every(intervalMs: number, fn: () => Promise<unknown>, logger: Logger, what: string) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = async () => {
    running = fn().catch((err) => logger.warn({ err: (err as Error).message }, `${what} failed; will retry`));
    await running;
    running = null;
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, 0);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}
