/**
 * Recurring work, in Asia/Shanghai time: the quarter-end compilation (00:05 on the first day of each
 * quarter, for the quarter just ended), the daily maturity scan and the daily interest accrual. The
 * schedulers only wake the system up: each tick writes its outbox row (job id from the date), and the
 * reconciler writes the same rows if a tick was lost, so nothing depends on Redis keeping them.
 */
import type { Queues } from './queues.js';

export const SCHEDULE_TZ = 'Asia/Shanghai';

export const SCHEDULES = [
  { queue: 'compile', id: 'quarter-end-compile', pattern: '5 0 1 1,4,7,10 *', name: 'compile-quarter' },
  { queue: 'maturity-scan', id: 'daily-maturity-scan', pattern: '15 0 * * *', name: 'tick' },
  { queue: 'interest-accrual', id: 'daily-interest-accrual', pattern: '30 0 * * *', name: 'tick' },
] as const;

/** Idempotent: upserting the same scheduler again changes nothing (the reconciler calls it after Redis loss). */
export async function ensureSchedulers(queues: Queues): Promise<void> {
  for (const s of SCHEDULES) {
    await queues[s.queue].upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: SCHEDULE_TZ },
      {
        name: s.name,
        data: {},
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 10_000 },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        },
      },
    );
  }
}
