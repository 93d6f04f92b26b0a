/**
 * Checking a bank's application (先贷后借): every listed loan must already be disbursed, be eligible
 * (or accepted by an operator), still running (not matured, not fully repaid), not already be on live
 * support, and fall inside the facility's window.
 * A loan that fails is named with the rule it fails; the application is refused as a whole.
 */
import type { IsoDate } from '../dates.js';
import type { PolicyVersion } from '../policy/index.js';
import { fail, ok, type Result, type Violation } from '../result.js';
import { supportByLoan } from './support.js';

export type CandidateLoan = {
  id: string;
  loanRef: string;
  disbursedOn: IsoDate;
  maturesOn: IsoDate;
  eligibility: 'eligible' | 'flagged' | 'accepted';
  principalFen: bigint;
  /** outstanding principal on the application date (repayments dated on or before it deducted) */
  outstandingFen: bigint;
  /** the application status that already holds it (live row), if any */
  liveApplicationStatus: 'submitted' | 'approved' | 'disbursed' | null;
};

export type ApplicationPlan = {
  requestedFen: bigint;
  loans: { loanId: string; principalFen: bigint; requestedSupportFen: bigint }[];
};

/** Loans eligible for support, as the API names them. */
export const isEligibleForSupport = (eligibility: CandidateLoan['eligibility']) => eligibility === 'eligible' || eligibility === 'accepted';

/** The rule a single loan fails on `appliedOn`, in order of precedence, or null when it qualifies. */
export function loanRuleFailed(loan: CandidateLoan, appliedOn: IsoDate, policy: PolicyVersion): { code: string; message: string } | null {
  if (loan.disbursedOn > appliedOn)
    return {
      code: 'loan_not_yet_disbursed',
      message: `loan ${loan.loanRef} is disbursed on ${loan.disbursedOn}, after the application date ${appliedOn}: lend first, borrow later`,
    };
  if (loan.disbursedOn < policy.loansDisbursedFrom)
    return {
      code: 'loan_outside_facility_window',
      message: `loan ${loan.loanRef} was disbursed on ${loan.disbursedOn}, before the facility covers loans (${policy.loansDisbursedFrom})`,
    };
  if (loan.maturesOn <= appliedOn)
    return {
      code: 'loan_matured',
      message: `loan ${loan.loanRef} matured on ${loan.maturesOn}, on or before the application date ${appliedOn}: a loan no longer running cannot be supported`,
    };
  if (!isEligibleForSupport(loan.eligibility))
    return {
      code: 'loan_not_eligible',
      message: `loan ${loan.loanRef} is ${loan.eligibility}: an operator must accept it with a reason before it can be supported`,
    };
  if (loan.liveApplicationStatus === 'approved' || loan.liveApplicationStatus === 'disbursed')
    return { code: 'loan_already_supported', message: `loan ${loan.loanRef} is already covered by approved support` };
  if (loan.liveApplicationStatus === 'submitted')
    return { code: 'loan_already_applied_for', message: `loan ${loan.loanRef} is already listed on an application awaiting decision` };
  if (loan.outstandingFen <= 0n)
    return {
      code: 'loan_fully_repaid',
      message: `loan ${loan.loanRef} has no outstanding principal on ${appliedOn}: it was fully repaid by then`,
    };
  return null;
}

/**
 * Plans an application over `loans` (in the order listed; `paths` names each loan's field for
 * errors). Eligible principal is each loan's outstanding principal on the application date (our
 * choice: support must never exceed 60 % of outstanding eligible principal).
 */
export function planApplication(input: {
  loans: readonly CandidateLoan[];
  paths: readonly string[];
  appliedOn: IsoDate;
  policy: PolicyVersion;
}): Result<ApplicationPlan, 'application_invalid' | 'facility_ended' | 'no_loans'> & { errors?: Violation[] } {
  const { loans, paths, appliedOn, policy } = input;
  if (appliedOn > policy.facilityEndOn)
    return { ...fail('facility_ended', 'operation', `the facility accepted applications until ${policy.facilityEndOn}`) };
  if (loans.length === 0) return fail('no_loans', 'loans', 'the application lists no loan that qualifies');
  const errors: Violation[] = [];
  loans.forEach((loan, i) => {
    const failed = loanRuleFailed(loan, appliedOn, policy);
    if (failed) errors.push({ path: paths[i], ...failed });
  });
  if (errors.length) return { ...fail('application_invalid'), errors };
  const { totalFen, partsFen } = supportByLoan(
    loans.map((l) => l.outstandingFen),
    policy,
  );
  return ok({
    requestedFen: totalFen,
    loans: loans.map((l, i) => ({ loanId: l.id, principalFen: l.outstandingFen, requestedSupportFen: partsFen[i] })),
  });
}
