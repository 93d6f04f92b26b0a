/** Loan submissions (API.md "Loans"): request and response shapes. */
import { z } from 'zod';
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
    ref: text(100),
    name: text(300),
    province: text(50),
    subArea: matching(/^[A-Z]{2}\.[A-Z_]{2,40}$/, 'unknown_sub_area', 'must be a sub-area code such as CE.WIND (see GET /api/v1/taxonomy)'),
    totalInvestment: YuanString,
    annualReductionTonnes: TonnesString,
    reductionBasis: ReductionBasis,
    evidence: z.object({ title: text(300), sha256: Sha256Hex }).strict(),
  })
  .strict()
  .meta({ id: 'ProjectInput' });

export const LoanInput = z
  .object({
    loanRef: matching(/^[\w.\-/:#]{1,100}$/, 'invalid_loan_ref', 'must be 1–100 letters, digits or . - _ / : #'),
    borrower: z.object({ name: text(300), creditCode: z.string().max(50) }).strict(),
    project: ProjectInput,
    principal: YuanString,
    annualRatePercent: PercentString,
    disbursedOn: IsoDateString,
    maturesOn: IsoDateString,
  })
  .strict()
  .meta({ id: 'LoanInput' });
export type LoanInputBody = z.infer<typeof LoanInput>;

/** Rows are parsed one by one so that one bad row never hides the others. */
export const LoanBatchBody = z
  .object({
    loans: z.array(z.unknown()).min(1, 'must list at least one loan').max(BATCH_ROWS_MAX, `at most ${BATCH_ROWS_MAX} loans per request`),
  })
  .strict()
  .meta({ id: 'LoanBatch', description: `up to ${BATCH_ROWS_MAX} rows of LoanInput` });

const Violation = z.object({ path: z.string(), code: z.string(), message: z.string() });

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
  /** operators only: one institution's loans */
  institution: z.string().max(32).optional(),
}).strict();

export const AmendmentBody = z
  .object({ reason: text(1000), loan: z.unknown() })
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
