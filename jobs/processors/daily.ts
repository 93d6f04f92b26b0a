/**
 * The daily maturity scan (tranches due → matured, past due → overdue; pools of tranches whose loans
 * matured re-checked for pool shortfalls; collateral coverage re-checked)
 * and the daily interest accrual, for a day in Asia/Shanghai. The work is app/refinancing/scans.ts, the
 * same functions the operator runs through the API; each runs in one transaction with the outbox row's
 * "done", so a day is booked exactly once even if the job runs again.
 */
import { perform } from '../../app/perform.js';
import { accrueInterest, scanCoverage, scanMaturities } from '../../app/refinancing/scans.js';
import { lockOutbox, markDone } from '../../db/repositories/outbox.js';
import { shanghaiDate } from '../../domain/dates.js';
import { DailyJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const maturityScan: Processor = async (ctx, job) => {
  const payload = parsePayload(DailyJob, job.data, job.id);
  const on = payload.on ?? shanghaiDate(ctx.now());
  return perform(ctx.db, { now: ctx.now(), actor: null }, async ({ tx }) => {
    if ((await lockOutbox(tx, job.id))?.status === 'done') return 'already_done';
    const scanned = await scanMaturities(tx, { on });
    const coverage = await scanCoverage(tx, { on });
    await markDone(tx, job.id);
    return `maturities ${on}: ${scanned.matured} matured, ${scanned.overdue} overdue; ${scanned.poolShortfallsRaised} pool shortfall(s) raised; ${coverage.marginCalls} margin call(s)`;
  });
};

export const interestAccrual: Processor = async (ctx, job) => {
  const payload = parsePayload(DailyJob, job.data, job.id);
  const through = payload.on ?? shanghaiDate(ctx.now());
  return perform(ctx.db, { now: ctx.now(), actor: null }, async ({ tx }) => {
    if ((await lockOutbox(tx, job.id))?.status === 'done') return 'already_done';
    const booked = await accrueInterest(tx, { through, actor: null });
    await markDone(tx, job.id);
    return `accrued through ${through}: ${booked.tranches} tranche(s), ${booked.totalFen} fen`;
  });
};
