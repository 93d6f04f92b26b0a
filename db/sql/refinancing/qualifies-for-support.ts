/**
 * SQL mirror of `loanRuleFailed(loan, appliedOn, policy) === null` (domain/refinancing/application.ts) for
 * a loan on no live application: disbursed on or before the application date, inside the facility's
 * window, still running after it (maturing later), eligible or accepted by an operator (`isEligibleForSupport`), principal
 * outstanding. An
 * application over "all loans disbursed through a date" selects its loans with it
 * (db/repositories/refinancing/application-loans.ts `qualifyingLoans`); test/api/sql-mirrors-refinancing.test.ts checks it
 * against the domain function on random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PolicyVersion } from '../../../domain/policy/index.js';
import { isEligibleForSupport, type CandidateLoan } from '../../../domain/refinancing/application.js';

/** The loan's columns (or values) as SQL expressions: `disbursedOn` a date, `eligibility` a text. */
export type QualifyingLoanSql = { [K in 'disbursedOn' | 'maturesOn' | 'eligibility' | 'outstandingFen']: SQL };

/** Every eligibility a loan can have (the compiler keeps this list whole). */
const ELIGIBILITIES = { eligible: true, flagged: true, accepted: true } satisfies Record<CandidateLoan['eligibility'], true>;
/** The eligibilities that may be supported, from the domain's rule. */
export const SUPPORTABLE_ELIGIBILITIES = (Object.keys(ELIGIBILITIES) as CandidateLoan['eligibility'][]).filter(isEligibleForSupport);

export function qualifiesForSupportSql(loan: QualifyingLoanSql, appliedOn: SQL, policy: Pick<PolicyVersion, 'loansDisbursedFrom'>): SQL {
  const supportable = sql.raw(SUPPORTABLE_ELIGIBILITIES.map((e) => `'${e}'`).join(','));
  return sql`(${loan.disbursedOn} <= ${appliedOn} and ${loan.disbursedOn} >= ${policy.loansDisbursedFrom}::date and ${loan.maturesOn} > ${appliedOn} and ${loan.eligibility} in (${supportable}) and ${loan.outstandingFen} > 0)`;
}
