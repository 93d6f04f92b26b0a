/**
 * The rules of a support tranche: its terms at disbursement, rollover (展期), repayment and maturity.
 * Pure: every date is an argument; the figures come in as bigint fen.
 */
import { addYears, type IsoDate } from '../dates.js';
import type { DayCount, PolicyVersion } from '../policy/index.js';
import { fail, ok, type Result } from '../result.js';
import { accruedThroughFen } from './interest.js';
import { supportFen } from './support.js';

export type FacilityStatus = 'active' | 'matured' | 'rolled_over' | 'repaid' | 'overdue';

export type FacilityState = {
  outstandingFen: bigint;
  ratePpm: bigint;
  dayCount: DayCount;
  startOn: IsoDate;
  maturesOn: IsoDate;
  rolloverCount: number;
  status: FacilityStatus;
  interestFromOn: IsoDate;
  segmentAccruedFen: bigint;
  accruedThrough: IsoDate;
  interestAccruedFen: bigint;
  interestPaidFen: bigint;
};

/** A new tranche's terms: the rate and day count in force on `startOn`, maturity one term later. */
export function trancheTerms(startOn: IsoDate, policy: PolicyVersion) {
  return {
    ratePpm: policy.ratePpm,
    dayCount: policy.dayCount,
    startOn,
    maturesOn: addYears(startOn, policy.termYears),
    policyVersion: policy.id,
  };
}

export const isLive = (status: FacilityStatus) => status === 'active' || status === 'matured' || status === 'overdue';

/** Interest booked and unbooked through `on`, less what is paid: what the bank owes in interest on `on`. */
export function interestDueFen(f: FacilityState, on: IsoDate, rounding: PolicyVersion['rounding']): bigint {
  const through = on > f.accruedThrough ? on : f.accruedThrough;
  const segmentFen = accruedThroughFen(
    { principalFen: f.outstandingFen, ratePpm: f.ratePpm, dayCount: f.dayCount, fromOn: f.interestFromOn },
    through,
    rounding,
  );
  return f.interestAccruedFen - f.interestPaidFen + (segmentFen - f.segmentAccruedFen);
}

/**
 * A tranche's status on `on`, derived from its dates whenever it is read: a live tranche with principal
 * outstanding is active before its maturity date, matured on it and overdue after it, whether or not a
 * maturity scan has run; rolled over and repaid are what a booking made it (kept as stored).
 */
export function statusOn(f: Pick<FacilityState, 'status' | 'maturesOn' | 'outstandingFen'>, on: IsoDate): FacilityStatus {
  if (!isLive(f.status) || f.outstandingFen === 0n) return f.status;
  if (on > f.maturesOn) return 'overdue';
  if (on === f.maturesOn) return 'matured';
  return 'active';
}

export type RolloverPlan = {
  rolledFen: bigint;
  /** principal above the cap, to be repaid now */
  excessFen: bigint;
  capFen: bigint;
  newTerms: ReturnType<typeof trancheTerms>;
  rolloverCount: number;
};

export type RolloverRefusal =
  'facility_not_live' | 'rollovers_exhausted' | 'rollover_not_due' | 'facility_overdue' | 'nothing_to_roll_over';

/**
 * A rollover on `on` (our choice: on the maturity date itself, the day the new year starts). The
 * rolled-over amount is capped at the policy share of the underlying loans' outstanding eligible
 * principal on `on`, rounded once like any support amount; the rest is repaid.
 */
export function planRollover(
  f: FacilityState,
  input: { on: IsoDate; underlyingOutstandingFen: bigint; policy: PolicyVersion },
): Result<RolloverPlan, RolloverRefusal> {
  const { on, policy } = input;
  if (!isLive(f.status) || f.outstandingFen === 0n) return fail('facility_not_live', 'facility', `the tranche is ${f.status}`);
  if (f.rolloverCount >= policy.rolloverCountMax)
    return fail(
      'rollovers_exhausted',
      'facility',
      `the tranche has been rolled over ${f.rolloverCount} times, the most the policy allows (${policy.rolloverCountMax})`,
    );
  if (on < f.maturesOn) return fail('rollover_not_due', 'facility', `a rollover is booked on the maturity date ${f.maturesOn}, not before`);
  if (on > f.maturesOn)
    return fail('facility_overdue', 'facility', `the tranche matured on ${f.maturesOn} and is overdue: it can only be repaid`);
  const capFen = supportFen(input.underlyingOutstandingFen, policy);
  const rolledFen = f.outstandingFen < capFen ? f.outstandingFen : capFen;
  if (rolledFen <= 0n)
    return fail(
      'nothing_to_roll_over',
      'facility',
      'the underlying loans have no outstanding eligible principal: the tranche must be repaid',
    );
  return ok({
    rolledFen,
    excessFen: f.outstandingFen - rolledFen,
    capFen,
    newTerms: trancheTerms(on, policy),
    rolloverCount: f.rolloverCount + 1,
  });
}

export type RepaymentRefusal = 'facility_not_live' | 'repayment_exceeds_outstanding' | 'nothing_to_repay';

/** A repayment on `on` of `principalFen` together with all interest due (early repayment allowed). */
export function planRepayment(
  f: FacilityState,
  input: { on: IsoDate; principalFen: bigint; rounding: PolicyVersion['rounding'] },
): Result<{ principalFen: bigint; interestFen: bigint; remainingFen: bigint }, RepaymentRefusal> {
  if (!isLive(f.status) || f.outstandingFen === 0n) return fail('facility_not_live', 'facility', `the tranche is ${f.status}`);
  if (input.principalFen > f.outstandingFen)
    return fail('repayment_exceeds_outstanding', 'principal', `the tranche's outstanding principal is less than the amount repaid`);
  const interestFen = interestDueFen(f, input.on, input.rounding);
  if (input.principalFen === 0n && interestFen === 0n)
    return fail('nothing_to_repay', 'principal', 'no principal is repaid and no interest is due');
  return ok({ principalFen: input.principalFen, interestFen, remainingFen: f.outstandingFen - input.principalFen });
}
