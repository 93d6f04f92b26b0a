/** Loan submissions (API.md "Loans"): request and response shapes. */
import { z } from 'zod';
import { isIsoDate } from '../domain/dates.js';
import { validateCreditCode } from '../domain/loans/credit-code.js';
import { LOAN_FIELD_RULES as RULES } from '../domain/loans/rules.js';
import { BookingDateFields, IsoDateString, matching, PageQuery, PercentString, Sha256Hex, TonnesString, YuanString } from './common.js';

export const BATCH_ROWS_MAX = 10_000;

export const ReductionBasis = z.enum(['feasibility_study', 'environmental_impact_assessment', 'third_party_assessment']);

/** Free text: trimmed, not empty, bounded, and without NUL (which PostgreSQL text cannot hold). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain the NUL character', params: { code: 'invalid_character' } });

export const ProjectInput = z
  .object({
    ref: text(100).meta({
      description: "the bank's own reference of the project; loans naming it share its data",
      examples: ['PRJ-WIND-0007'],
    }),
    name: text(300).meta({ rules: RULES['project.name'], examples: ['张家口200MW风电项目'] }),
    province: text(50).meta({ rules: RULES['project.province'], examples: ['河北'] }),
    subArea: matching(
      /^[A-Z]{2}\.[A-Z_]{2,40}$/,
      'unknown_sub_area',
      'must be a sub-area code such as CE.WIND (see GET /api/v1/taxonomy)',
    ).meta({
      description: 'sub-area code of the taxonomy in force on the disbursement date (GET /api/v1/taxonomy)',
      rules: RULES['project.subArea'],
      examples: ['CE.WIND'],
    }),
    totalInvestment: YuanString.meta({
      description: "the project's total investment in yuan; loans on the project never add up to more",
      rules: RULES['project.totalInvestment'],
      examples: ['1200000000.00'],
    }),
    annualReductionTonnes: TonnesString.meta({
      description: "the project's annual carbon reduction, tonnes CO2e",
      rules: RULES['project.annualReductionTonnes'],
      examples: ['210000.00'],
    }),
    reductionBasis: ReductionBasis.meta({ rules: RULES['project.reductionBasis'] }),
    evidence: z
      .object({
        title: text(300).meta({ rules: RULES['project.evidence.title'], examples: ['可行性研究报告（2022年3月）'] }),
        sha256: Sha256Hex.meta({
          description: 'SHA-256 of the evidence document, 64 lowercase hex characters',
          rules: RULES['project.evidence.sha256'],
          examples: ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
        }),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'ProjectInput' });

export const BorrowerInput = z
  .object({
    name: text(300).meta({ examples: ['张家口风能发电有限公司'] }),
    creditCode: z
      .string()
      .max(50)
      .meta({
        description: "the borrower's unified social credit code: 18 characters with the GB 32100 check character",
        rules: RULES['borrower.creditCode'],
        examples: ['91130700MA0G5XKQ17'],
      }),
  })
  .strict();

export const LoanInput = z
  .object({
    loanRef: matching(/^[\w.\-/:#]{1,100}$/, 'invalid_loan_ref', 'must be 1–100 letters, digits or . - _ / : #').meta({
      description: "the bank's own loan reference, unique per bank; the same reference with other content is refused (use an amendment)",
      rules: RULES.loanRef,
      examples: ['L-2022-000123'],
    }),
    borrower: BorrowerInput,
    project: ProjectInput,
    principal: YuanString.meta({
      description: 'the principal disbursed, yuan',
      rules: RULES.principal,
      examples: ['300000000.00'],
    }),
    annualRatePercent: PercentString.meta({
      description: 'the annual interest rate, percent; outside the LPR band the loan is recorded but flagged (rate_outside_lpr_band)',
      rules: RULES.annualRatePercent,
      examples: ['3.45'],
    }),
    disbursedOn: IsoDateString.meta({
      description: 'disbursement date: the policy and taxonomy in force that day apply',
      rules: RULES.disbursedOn,
      examples: ['2022-08-15'],
    }),
    maturesOn: IsoDateString.meta({
      description: 'maturity date, after the disbursement',
      rules: RULES.maturesOn,
      examples: ['2025-08-15'],
    }),
  })
  .strict()
  // a row with other faults is not assessed by the domain's rules (its facts cannot be read), so the one
  // rule that needs only its two dates is checked here then: every fault of the row is named at once
  .refine((loan) => isIsoDate(loan.maturesOn) && isIsoDate(loan.disbursedOn) && loan.maturesOn > loan.disbursedOn, {
    path: ['maturesOn'],
    error: (issue) => {
      const loan = issue.input as { disbursedOn: string; maturesOn: string };
      return `maturity ${loan.maturesOn} must be after disbursement ${loan.disbursedOn}`;
    },
    params: { code: 'maturity_not_after_disbursement' },
    when: (payload) => {
      const v = payload.value as { disbursedOn?: unknown; maturesOn?: unknown } | null;
      return (
        payload.issues.length > 0 &&
        typeof v === 'object' &&
        v !== null &&
        typeof v.disbursedOn === 'string' &&
        typeof v.maturesOn === 'string' &&
        isIsoDate(v.disbursedOn) &&
        isIsoDate(v.maturesOn)
      );
    },
  })
  .refine((loan) => validateCreditCode(loan.borrower.creditCode).ok, {
    path: ['borrower', 'creditCode'],
    error: (issue) => {
      const checked = validateCreditCode((issue.input as { borrower: { creditCode: string } }).borrower.creditCode);
      return checked.ok
        ? 'not a valid unified social credit code'
        : `not a valid unified social credit code: ${checked.message} (${checked.status})`;
    },
    params: { code: 'invalid_credit_code' },
    when: (payload) => {
      const v = payload.value as { borrower?: { creditCode?: unknown } } | null;
      return payload.issues.length > 0 && typeof v?.borrower?.creditCode === 'string';
    },
  })
  .meta({ id: 'LoanInput' });
export type LoanInputBody = z.infer<typeof LoanInput>;

/** Rows are parsed one by one so that one bad row never hides the others. */
export const LoanBatchBody = z
  .object({
    loans: z.array(z.unknown()).min(1, 'must list at least one loan').max(BATCH_ROWS_MAX, `at most ${BATCH_ROWS_MAX} loans per request`),
  })
  .strict();

/** The batch as the API description shows it: the rows are LoanInput (the route checks each on its own). */
export const LoanBatchRequest = z
  .object({
    loans: z
      .array(LoanInput)
      .min(1, 'must list at least one loan')
      .max(BATCH_ROWS_MAX, `at most ${BATCH_ROWS_MAX} loans per request`)
      .meta({
        description: `1 to ${BATCH_ROWS_MAX} loans; each row is checked on its own and a row's violations name it (loans.7.principal)`,
      }),
  })
  .strict()
  .meta({ id: 'LoanBatch', description: `up to ${BATCH_ROWS_MAX} rows of LoanInput` });

const Violation = z.object({ path: z.string(), code: z.string(), message: z.string() });

/** Whether the central bank supports the loan: the application listing it, its tranche, and whether the loan counts. */
export const LoanSupportView = z
  .object({
    application: z
      .object({
        id: z.uuid(),
        operation: z.string().meta({ description: 'the quarterly operation applied to', examples: ['2026Q1'] }),
        status: z.enum(['submitted', 'approved', 'disbursed']),
      })
      .nullable()
      .meta({ description: 'the live application that lists the loan (a rejected one does not); null: on none' }),
    tranche: z
      .object({
        id: z.uuid(),
        status: z.string().meta({ description: 'the tranche’s status today (from its dates)', examples: ['active'] }),
        maturesOn: z.string().meta({ examples: ['2027-03-20'] }),
      })
      .nullable()
      .meta({ description: 'the latest support tranche booked on that application; null: none yet' }),
    covered: z.boolean().meta({
      description:
        'true when the application is approved or disbursed: the loan counts in the bank’s disclosures (covered by approved support)',
    }),
  })
  .meta({ id: 'LoanSupport' });

export const LoanView = z
  .object({
    id: z.string().uuid(),
    institution: z.string(),
    loanRef: z.string(),
    version: z.number().int(),
    borrower: z.object({ name: z.string(), creditCode: z.string() }),
    project: ProjectInput.extend({ id: z.string().uuid(), area: z.string(), fundedTotal: z.string() }),
    principal: z.string(),
    outstandingPrincipal: z.string(),
    annualRatePercent: z.string(),
    disbursedOn: z.string(),
    maturesOn: z.string(),
    taxonomyVersion: z.string(),
    policyVersion: z.string(),
    attributedAnnualReductionTonnes: z.string(),
    lprComparison: z.object({
      tenor: z.string(),
      month: z.string(),
      lprPercent: z.string(),
      deviationBp: z.string(),
      withinBand: z.boolean(),
    }),
    eligible: z.boolean(),
    eligibility: z.enum(['eligible', 'flagged', 'accepted']),
    reasons: z.array(z.object({ code: z.string(), message: z.string() })),
    acceptance: z.object({ by: z.string(), reason: z.string(), at: z.string() }).nullable(),
    support: LoanSupportView,
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Loan' });

export const BatchResult = z
  .object({
    summary: z.object({ created: z.number().int(), unchanged: z.number().int(), error: z.number().int() }),
    results: z.array(
      z.object({
        index: z.number().int(),
        loanRef: z.string().optional(),
        status: z.enum(['created', 'unchanged', 'error']),
        id: z.string().uuid().optional(),
        eligible: z.boolean().optional(),
        errors: z.array(Violation).optional(),
      }),
    ),
  })
  .meta({ id: 'LoanBatchResult' });

export const LoanListQuery = PageQuery.extend({
  subArea: z.string().max(50).optional(),
  disbursedFrom: IsoDateString.optional(),
  disbursedTo: IsoDateString.optional(),
  eligibility: z.enum(['eligible', 'flagged', 'accepted']).optional(),
  eligible: z.enum(['true', 'false']).optional(),
  projectRef: z.string().max(100).optional(),
  supported: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: loans listed on a live application (submitted, approved or disbursed); false: loans on none'),
  /** operators only: one institution's loans */
  institution: z.string().max(32).optional(),
}).strict();

export const AmendmentBody = z.object({ reason: text(1000), loan: z.unknown() }).strict();

/** The amendment as the API description shows it: `loan` is a LoanInput (the route checks it after the envelope). */
export const AmendmentRequest = z
  .object({ reason: text(1000).meta({ examples: ['the borrower signed a larger facility'] }), loan: LoanInput })
  .strict()
  .meta({ id: 'LoanAmendment', description: 'the whole new content of the loan (LoanInput) and why it changes' });

export const RepaymentBody = z.object({ repaidOn: IsoDateString, amount: YuanString }).strict().meta({ id: 'LoanRepayment' });

export const AcceptBody = z
  .object({ reason: text(1000), on: BookingDateFields.on })
  .strict()
  .meta({ id: 'LoanAcceptance' });

export const LoanVersionView = z.object({
  version: z.number().int(),
  content: LoanInput,
  contentSha256: z.string(),
  changedBy: z.string(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
