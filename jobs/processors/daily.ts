/**
 * The daily maturity scan and interest accrual. The work itself belongs to refinancing
 * (`scanMaturities(db, { on })`, `accrueInterest(db, { through })`); these processors find those
 * functions and call them for the day, in Asia/Shanghai.
 */
import { shanghaiDate } from '../../domain/dates.js';
import { markDone } from '../../db/repositories/outbox.js';
import type { Db } from '../../db/client.js';
import { DailyJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

type DailyFunction = (db: Db, options: Record<string, string>) => Promise<unknown>;

const CANDIDATE_MODULES = ['../../db/repositories/refinancing-jobs.js', '../../db/repositories/refinancing.js', '../../db/repositories/facilities.js', '../../domain/refinancing/index.js'];

/** The refinancing function named `name`, or null while refinancing does not provide it. */
export async function refinancingFunction(name: 'scanMaturities' | 'accrueInterest'): Promise<DailyFunction | null> {
  for (const path of CANDIDATE_MODULES) {
    const module = (await import(path).catch(() => null)) as Record<string, unknown> | null;
    if (module && typeof module[name] === 'function') return module[name] as DailyFunction;
  }
  return null;
}

const daily =
  (name: 'scanMaturities' | 'accrueInterest', option: 'on' | 'through'): Processor =>
  async (ctx, job) => {
    const payload = parsePayload(DailyJob, job.data, job.id);
    const day = payload.on ?? shanghaiDate(ctx.now());
    const fn = await refinancingFunction(name);
    if (!fn) {
      ctx.logger.warn({ job: job.id }, `${name} is not available yet; nothing done`);
      await markDone(ctx.db, job.id);
      return 'not_available';
    }
    await fn(ctx.db, { [option]: day });
    await markDone(ctx.db, job.id);
    return `${name} ${day}`;
  };

export const maturityScan = daily('scanMaturities', 'on');
export const interestAccrual = daily('accrueInterest', 'through');
