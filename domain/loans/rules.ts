/**
 * The rules checked when a bank submits a loan (spec §4 "Loans"): dates, the policy and taxonomy in
 * force on the disbursement date, the LPR band, project funding and the attributed reduction. Pure:
 * today's date and the institution's eligibility are arguments.
 */
import { isIsoDate, type IsoDate } from '../dates.js';
import { divRound, formatCentitonnes, formatYuan, type Fraction, type RoundingMode } from '../money.js';
import {
  compareWithLpr,
  policyData,
  policyForLoanDisbursedOn,
  taxonomyForLoanDisbursedOn,
  type LprComparison,
  type PolicyData,
  type SubArea,
} from '../policy/index.js';
import type { Violation } from '../result.js';
import { validateCreditCode } from './credit-code.js';
import { formatPercentExact, type LoanFacts, type ProjectFacts } from './facts.js';

/**
 * The policy and taxonomy in force on a date, memoised: a batch holds few distinct dates. The memo
 * holds for one value of the policy data in force and is emptied when that value is replaced.
 */
const rulesByDate = new Map<
  string,
  { policy: ReturnType<typeof policyForLoanDisbursedOn>; taxonomy: ReturnType<typeof taxonomyForLoanDisbursedOn>; valid: boolean }
>();
let rulesFor: PolicyData | null = null;
function rulesOn(date: IsoDate) {
  if (rulesFor !== policyData()) {
    rulesByDate.clear();
    rulesFor = policyData();
  }
  let rules = rulesByDate.get(date);
  if (!rules) {
    const valid = isIsoDate(date);
    rules = { policy: valid ? policyForLoanDisbursedOn(date) : null, taxonomy: valid ? taxonomyForLoanDisbursedOn(date) : null, valid };
    if (rulesByDate.size > 20_000) rulesByDate.clear();
    rulesByDate.set(date, rules);
  }
  return rules;
}

/**
 * The rules a submitted loan's fields are checked against beyond their shape, by field path: what
 * `assessLoan`, `checkProjectFunding` and the batch (a reference's content, a project's data) answer.
 * A violation can only name a code listed for its path (`assessLoan` is typed so); the API description
 * lists them with each field.
 */
export const LOAN_FIELD_RULES = {
  loanRef: ['loan_ref_conflict'],
  'borrower.creditCode': ['invalid_credit_code'],
  principal: ['principal_not_positive', 'project_overfunded'],
  annualRatePercent: ['rate_not_positive'],
  disbursedOn: ['disbursed_in_future', 'before_facility_launch', 'disbursed_before_eligibility_window', 'institution_not_eligible'],
  maturesOn: ['maturity_not_after_disbursement'],
  // every loan naming a project reference carries the same project data
  'project.name': ['project_mismatch'],
  'project.province': ['project_mismatch'],
  'project.subArea': ['unknown_sub_area', 'project_mismatch'],
  'project.totalInvestment': ['investment_not_positive', 'project_mismatch'],
  'project.annualReductionTonnes': ['project_mismatch'],
  'project.reductionBasis': ['project_mismatch'],
  'project.evidence.title': ['project_mismatch'],
  'project.evidence.sha256': ['project_mismatch'],
} as const satisfies Record<string, readonly string[]>;
export type LoanRulePath = keyof typeof LOAN_FIELD_RULES;

export type InstitutionWindow = { eligibleFrom: IsoDate | null; eligibleUntil: IsoDate | null };

export type LoanAssessment = {
  policyVersion: string;
  taxonomyVersion: string;
  subArea: SubArea;
  lpr: LprComparison;
  eligibility: 'eligible' | 'flagged';
  flags: { code: string; message: string }[];
};

/**
 * Checks one loan on its own (the project-wide overfunding check needs the other loans and is done
 * by `checkProjectFunding`). Returns every violated rule, each with the field it concerns.
 */
export function assessLoan(
  f: LoanFacts,
  ctx: { today: IsoDate; institution: InstitutionWindow },
): { violations: Violation[]; assessment: LoanAssessment | null } {
  const violations: Violation[] = [];
  const v = <P extends LoanRulePath>(path: P, code: (typeof LOAN_FIELD_RULES)[P][number], message: string) =>
    violations.push({ path, code, message });

  const credit = validateCreditCode(f.borrowerCreditCode);
  if (!credit.ok)
    v('borrower.creditCode', 'invalid_credit_code', `not a valid unified social credit code: ${credit.message} (${credit.status})`);

  if (f.principalFen <= 0n) v('principal', 'principal_not_positive', 'principal must be greater than 0');
  if (f.project.totalInvestmentFen <= 0n)
    v('project.totalInvestment', 'investment_not_positive', 'total investment must be greater than 0');
  if (f.principalFen > 0n && f.project.totalInvestmentFen > 0n && f.principalFen > f.project.totalInvestmentFen) {
    v(
      'principal',
      'project_overfunded',
      `principal ${formatYuan(f.principalFen)} exceeds the project's total investment ${formatYuan(f.project.totalInvestmentFen)}`,
    );
  }
  if (f.ratePpm <= 0n) v('annualRatePercent', 'rate_not_positive', 'annual rate must be greater than 0');

  const disbursedRules = rulesOn(f.disbursedOn);
  const datesValid = disbursedRules.valid && rulesOn(f.maturesOn).valid;
  if (datesValid && f.maturesOn <= f.disbursedOn)
    v('maturesOn', 'maturity_not_after_disbursement', `maturity ${f.maturesOn} must be after disbursement ${f.disbursedOn}`);
  if (datesValid && f.disbursedOn > ctx.today)
    v(
      'disbursedOn',
      'disbursed_in_future',
      `disbursement date ${f.disbursedOn} is after today (${ctx.today}): submit loans once disbursed`,
    );

  const policy = disbursedRules.policy;
  if (!policy) {
    v('disbursedOn', 'before_facility_launch', `no facility policy was in force on ${f.disbursedOn}`);
    return { violations, assessment: null };
  }
  if (f.disbursedOn < policy.loansDisbursedFrom) {
    v('disbursedOn', 'disbursed_before_eligibility_window', `loans disbursed before ${policy.loansDisbursedFrom} are outside the facility`);
  }

  const { eligibleFrom, eligibleUntil } = ctx.institution;
  if (!eligibleFrom || f.disbursedOn < eligibleFrom || (eligibleUntil !== null && f.disbursedOn > eligibleUntil)) {
    const window = eligibleFrom ? `from ${eligibleFrom}${eligibleUntil ? ` to ${eligibleUntil}` : ''}` : 'on no date';
    v('disbursedOn', 'institution_not_eligible', `the institution is an eligible institution ${window}, not on ${f.disbursedOn}`);
  }

  const taxonomy = disbursedRules.taxonomy;
  const subArea = taxonomy?.subAreas.find((s) => s.code === f.project.subArea) ?? null;
  if (!subArea) {
    const later = policyData().taxonomyVersions.find(
      (t) => t.effectiveFrom > f.disbursedOn && t.subAreas.some((s) => s.code === f.project.subArea),
    );
    v(
      'project.subArea',
      'unknown_sub_area',
      later
        ? `sub-area ${f.project.subArea} is supported only from ${later.effectiveFrom} (taxonomy ${later.version}); the loan was disbursed on ${f.disbursedOn} (taxonomy ${taxonomy?.version})`
        : `sub-area ${f.project.subArea} is not in the taxonomy in force on ${f.disbursedOn} (${taxonomy?.version}); see GET /api/v1/taxonomy`,
    );
  }

  const lpr =
    datesValid && f.maturesOn > f.disbursedOn
      ? compareWithLpr({ ratePpm: f.ratePpm, disbursedOn: f.disbursedOn, maturesOn: f.maturesOn, policy })
      : null;
  if (violations.length || !subArea || !lpr || !taxonomy) return { violations, assessment: null };

  const flags: { code: string; message: string }[] = [];
  if (!lpr.withinBand) {
    flags.push({
      code: 'rate_outside_lpr_band',
      message: `rate ${formatPercentExact(f.ratePpm)} % is ${formatBp(lpr.deviationPpm)} bp from the ${lpr.tenor === '1y' ? '1-year' : '5-year-plus'} LPR of ${lpr.month} (${formatPercentExact(lpr.lprPpm)} %), outside the band ${policy.lprBandLowerBp}…+${policy.lprBandUpperBp} bp; not eligible for support until an operator accepts it`,
    });
  }
  return {
    violations,
    assessment: {
      policyVersion: policy.id,
      taxonomyVersion: taxonomy.version,
      subArea,
      lpr,
      eligibility: flags.length ? 'flagged' : 'eligible',
      flags,
    },
  };
}

/** Deviation in basis points as exact text: 100 ppm = 1 bp, e.g. -2500n → "-25", 50n → "0.5". */
export function formatBp(deviationPpm: bigint): string {
  const negative = deviationPpm < 0n;
  const abs = negative ? -deviationPpm : deviationPpm;
  const whole = abs / 100n;
  let frac = (abs % 100n).toString().padStart(2, '0');
  while (frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}

/** Project fields that must agree between every loan that names the same project ref. */
export function projectDifferences(stored: ProjectFacts, submitted: ProjectFacts): string[] {
  const fields: [keyof ProjectFacts, string][] = [
    ['name', 'name'],
    ['province', 'province'],
    ['subArea', 'subArea'],
    ['totalInvestmentFen', 'totalInvestment'],
    ['annualReductionCentitonnes', 'annualReductionTonnes'],
    ['reductionBasis', 'reductionBasis'],
    ['evidenceTitle', 'evidence.title'],
    ['evidenceSha256', 'evidence.sha256'],
  ];
  return fields.filter(([key]) => stored[key] !== submitted[key]).map(([, path]) => path);
}

/** Loans on one project may never add up to more than its total investment (shares never above 1). */
export function checkProjectFunding(input: {
  fundedFen: bigint;
  addFen: bigint;
  totalInvestmentFen: bigint;
  projectRef: string;
}): Violation | null {
  const after = input.fundedFen + input.addFen;
  if (after <= input.totalInvestmentFen) return null;
  return {
    path: 'principal',
    code: 'project_overfunded',
    message: `loans on project ${input.projectRef} would total ${formatYuan(after)}, above its total investment ${formatYuan(input.totalInvestmentFen)}`,
  };
}

/** Attributed annual reduction = project reduction × principal ÷ total investment, as an exact fraction. */
export function attributedReduction(f: {
  principalFen: bigint;
  project: { annualReductionCentitonnes: bigint; totalInvestmentFen: bigint };
}): Fraction {
  return { num: f.project.annualReductionCentitonnes * f.principalFen, den: f.project.totalInvestmentFen };
}

/** The attributed reduction in tonnes with two decimals, rounded once by the policy's rounding (half up so far). */
export function formatAttributedReduction(fraction: Fraction, rounding: RoundingMode): string {
  return formatCentitonnes(divRound(fraction.num, fraction.den, rounding));
}
