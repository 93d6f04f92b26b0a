/**
 * A tranche's pool: the loans its application lists, as they stand on a date. A loan's outstanding
 * principal on a date is its principal less the repayments dated on or before that date (what the bank
 * records later with an earlier date counts from that earlier date). A loan counts in the pool while it
 * is listed (its application row is active), eligible for support, and still running: it leaves the pool
 * on its maturity date (the borrower repays it that day). When the tranche's outstanding principal
 * exceeds the policy share of the pool, the bank owes the excess (`poolShortfallFen`, support.ts): a pool
 * shortfall, due a policy number of days after it is raised.
 */
import { addDays, type IsoDate } from '../dates.js';
import type { PolicyVersion } from '../policy/index.js';
import { isEligibleForSupport, type CandidateLoan } from './application.js';

export type LoanRepayment = { repaidOn: IsoDate; amountFen: bigint };

/** The loan's principal less the repayments dated on or before `on`. */
export function outstandingOnFen(loan: { principalFen: bigint; repayments: readonly LoanRepayment[] }, on: IsoDate): bigint {
  return loan.repayments.reduce((left, r) => (r.repaidOn <= on ? left - r.amountFen : left), loan.principalFen);
}

export type PoolLoan = {
  principalFen: bigint;
  repayments: readonly LoanRepayment[];
  maturesOn: IsoDate;
  eligibility: CandidateLoan['eligibility'];
  /** the application still lists it (application_loans.active) */
  active: boolean;
};

/** Whether the loan counts in its tranche's pool on `on`: listed, eligible, and not yet at its maturity date. */
export const countsInPoolOn = (loan: Pick<PoolLoan, 'maturesOn' | 'eligibility' | 'active'>, on: IsoDate): boolean =>
  loan.active && isEligibleForSupport(loan.eligibility) && loan.maturesOn > on;

/** Σ outstanding principal on `on` of the loans that count in the pool on `on`. */
export function poolOutstandingEligibleFen(loans: readonly PoolLoan[], on: IsoDate): bigint {
  return loans.reduce((sum, loan) => (countsInPoolOn(loan, on) ? sum + outstandingOnFen(loan, on) : sum), 0n);
}

/** The day a shortfall raised on `raisedOn` must be repaid by, under the policy in force that day. */
export const poolShortfallDueOn = (raisedOn: IsoDate, policy: Pick<PolicyVersion, 'poolShortfallDueDays'>): IsoDate =>
  addDays(raisedOn, policy.poolShortfallDueDays);

/**
 * What a check of a tranche's pool does with its shortfall, given the open one (if any) and what the
 * tranche owes now. `raise` (a loan repaid or matured, a disbursement, the daily scan): a shortfall is
 * raised, or the open one grows; it never shrinks (a check for an earlier date must not undo a later
 * one). `settle` (the tranche itself was repaid or rolled over): the open one follows what is owed, down
 * to cleared at zero.
 */
export type PoolShortfallStep = 'none' | 'raise' | 'grow' | 'lower' | 'clear';

export function poolShortfallStep(openFen: bigint | null, owedFen: bigint, mode: 'raise' | 'settle'): PoolShortfallStep {
  if (openFen === null) return owedFen > 0n ? 'raise' : 'none';
  if (owedFen > openFen) return 'grow';
  if (owedFen === openFen || mode === 'raise') return 'none';
  return owedFen === 0n ? 'clear' : 'lower';
}

/** Whether an open shortfall is past its due date on `on`. */
export const isPoolShortfallOverdue = (s: { status: 'open' | 'cleared'; dueOn: IsoDate }, on: IsoDate) =>
  s.status === 'open' && on > s.dueOn;
