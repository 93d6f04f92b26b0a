/**
 * Pool shortfalls: when a tranche's outstanding principal exceeds the policy share (60 %) of its pool —
 * the underlying loans' outstanding eligible principal, which falls as the bank records loan repayments
 * and as loans mature — the bank owes the excess. One open shortfall per tranche, raised with its due
 * date (raised date + the policy's `poolShortfallDueDays`), grown when the excess grows, lowered or
 * cleared when the bank repays the tranche (or rolls it over). A shortfall is raised on the effective date
 * of what caused it (a loan repayment's own date, however late it is recorded or imported; the date a scan
 * or a booking is for), never on the day it happens to be booked. Checked on a loan repayment (the tranches
 * pooling that loan), at disbursement, on a tranche repayment or rollover, and by the daily maturity scan
 * (the tranches whose pool lists a loan matured in their current term), each in the caller's transaction.
 */
import type { Tx } from '../../db/client.js';
import {
  applicationsPoolingLoan,
  applicationsWithLoansMaturedThrough,
  insertPoolShortfalls,
  lockApplications,
  poolOutstandingOf,
  trancheFiguresOf,
  updatePoolShortfall,
} from '../../db/repositories/pool-shortfalls.js';
import { maxDate, type IsoDate } from '../../domain/dates.js';
import { isLive } from '../../domain/refinancing/facility.js';
import { poolShortfallDueOn, poolShortfallStep } from '../../domain/refinancing/pool.js';
import { poolShortfallFen } from '../../domain/refinancing/support.js';
import { policyInForce } from './common.js';

/** Which tranches a check looks at: those of some applications, those pooling a loan, or those a maturity scan on a date touches. */
export type PoolCheckScope = { applicationIds: readonly string[] } | { loanId: string } | { loansMaturedThrough: IsoDate };

export type PoolCheck = { tranches: number; raised: number; grown: number; lowered: number; cleared: number };
const COUNTED = { raise: 'raised', grow: 'grown', lower: 'lowered', clear: 'cleared' } as const;

async function applicationsIn(tx: Tx, scope: PoolCheckScope): Promise<string[]> {
  if ('applicationIds' in scope) return [...new Set(scope.applicationIds)];
  if ('loanId' in scope) return applicationsPoolingLoan(tx, scope.loanId);
  return applicationsWithLoansMaturedThrough(tx, scope.loansMaturedThrough);
}

/**
 * Checks the pools of the tranches in `scope` on `on` and raises, grows, lowers or clears their
 * shortfalls (`poolShortfallStep`: mode `raise` never lowers, `settle` follows the tranche down).
 * Locks the applications first (in id order), as the coverage check does, so a concurrent repayment of
 * the same tranche is seen whole.
 */
export async function checkPoolShortfalls(
  tx: Tx,
  scope: PoolCheckScope,
  on: IsoDate,
  mode: 'raise' | 'settle',
  knownPools: ReadonlyMap<string, bigint> = new Map(),
): Promise<PoolCheck> {
  const counts: PoolCheck = { tranches: 0, raised: 0, grown: 0, lowered: 0, cleared: 0 };
  const applicationIds = await applicationsIn(tx, scope);
  if (applicationIds.length === 0) return counts;
  await lockApplications(tx, applicationIds);
  const figures = await trancheFiguresOf(tx, applicationIds);
  if (figures.length === 0) return counts;
  // a pool is summed only where it matters: a live tranche with principal outstanding (it may owe), or an
  // open shortfall (its row records the pool it was settled against); the caller may already know some
  const needsPool = (f: (typeof figures)[number]) => (isLive(f.status) && f.outstandingFen > 0n) || f.open !== null;
  // each tranche is checked on `on`, or on its current term's start when the cause is dated before it (a
  // loan repayment recorded late): a shortfall is raised on the effective date of what caused it, never
  // on the day it happens to be booked, and never before the term it belongs to
  const checkedOnOf = (f: (typeof figures)[number]) => maxDate(on, f.startOn);
  const unknownByDate = new Map<IsoDate, Set<string>>();
  for (const f of figures) {
    if (!needsPool(f) || knownPools.has(f.applicationId)) continue;
    const date = checkedOnOf(f);
    unknownByDate.set(date, (unknownByDate.get(date) ?? new Set()).add(f.applicationId));
  }
  const pools = new Map(knownPools);
  for (const [date, ids] of unknownByDate)
    for (const [id, poolFen] of await poolOutstandingOf(tx, [...ids], date)) pools.set(`${id}@${date}`, poolFen);
  const poolOf = (f: (typeof figures)[number]) => pools.get(f.applicationId) ?? pools.get(`${f.applicationId}@${checkedOnOf(f)}`) ?? 0n;
  const raised = [];
  for (const f of figures) {
    counts.tranches += 1;
    const checkedOn = checkedOnOf(f);
    const policy = policyInForce(checkedOn);
    const poolFen = poolOf(f);
    const owedFen = isLive(f.status) && f.outstandingFen > 0n ? poolShortfallFen(f.outstandingFen, poolFen, policy) : 0n;
    const step = poolShortfallStep(f.open?.amountFen ?? null, owedFen, mode);
    const checked = { trancheOutstandingFen: f.outstandingFen, poolOutstandingFen: poolFen, checkedOn };
    if (step === 'raise') {
      raised.push({
        institutionId: f.institutionId,
        applicationId: f.applicationId,
        facilityId: f.facilityId,
        raisedOn: checkedOn,
        dueOn: poolShortfallDueOn(checkedOn, policy),
        amountFen: owedFen,
        ...checked,
      });
    } else if (f.open && (step === 'grow' || step === 'lower')) {
      await updatePoolShortfall(tx, f.open.id, { amountFen: owedFen, ...checked });
    } else if (f.open && step === 'clear') {
      await updatePoolShortfall(tx, f.open.id, { amountFen: 0n, status: 'cleared', clearedOn: checkedOn, ...checked });
    }
    if (step !== 'none') counts[COUNTED[step]] += 1;
  }
  await insertPoolShortfalls(tx, raised);
  return counts;
}
