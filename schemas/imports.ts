/**
 * Historical imports (POST /api/v1/imports): one JSON document of a bank's past records, each with its
 * own effective date and its own reference; and a bank's already published statements
 * (POST /api/v1/disclosures/:code/:quarter/published-statement) with their reconciliation.
 */
import { z } from 'zod';
import { IsoDateString, matching, QuarterString, Sha256Hex, YuanString } from './common.js';
import { LoanInput } from './loans.js';
import { PUBLISHED_COUNT, PUBLISHED_FIGURE, PUBLISHED_RATE } from '../domain/disclosures/imported-statement.js';
import { CollateralInputSchema } from './refinancing.js';

export const IMPORT_LOANS_MAX = 100_000;
export const IMPORT_RECORDS_MAX = 100_000;

/** The bank's own reference of a record (unique within the bank's history, across documents). */
const Ref = matching(/^[\w.\-/:#]{1,100}$/, 'invalid_ref', 'must be 1–100 letters, digits or . - _ / : #');
const LoanRef = matching(/^[\w.\-/:#]{1,100}$/, 'invalid_loan_ref', 'must be 1–100 letters, digits or . - _ / : #');
const Reason = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2000)
  .refine((s) => !s.includes('\u0000'), { message: 'must not contain the NUL character', params: { code: 'invalid_character' } });
const On = IsoDateString.describe('the effective date of the booking (YYYY-MM-DD, Asia/Shanghai)');

const record = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S, description: string) =>
  z
    .object({ kind: z.literal(kind), ref: Ref, on: On, ...shape })
    .strict()
    .describe(description);

export const ImportRecord = z
  .discriminatedUnion('kind', [
    z
      .object({ kind: z.literal('operation'), quarter: QuarterString, volume: YuanString, on: On })
      .strict()
      .describe("the quarter's operation, opened on `on` (its quarter is its reference)"),
    record(
      'application',
      {
        operation: QuarterString,
        loanRefs: z.array(LoanRef).min(1).max(10_000),
        collateral: z.array(CollateralInputSchema).max(1000).default([]),
      },
      "the bank's application within the quarter's operation, over loans named by the bank's references",
    ),
    record('approval', { application: Ref, amount: YuanString.optional(), reason: Reason }, 'an approval, in full or of `amount`'),
    record('rejection', { application: Ref, reason: Reason }, 'a rejection with its reason'),
    record('disbursement', { application: Ref }, 'the disbursement of an approved application: `ref` names the tranche it opens'),
    record('rollover', { tranche: Ref }, 'a rollover on the maturity date: `ref` names the new tranche'),
    record('repayment', { tranche: Ref, principal: YuanString }, 'a repayment of principal of a tranche, with the interest due'),
    record(
      'revaluation',
      { application: Ref, instrument: z.string().min(1).max(100), marketValue: YuanString },
      'a new market value of an instrument pledged to an application',
    ),
    record('loan_repayment', { loanRef: LoanRef, amount: YuanString }, "a borrower's repayment of a loan's principal"),
    record('loan_acceptance', { loanRef: LoanRef, reason: Reason }, 'an operator accepts a loan flagged for its rate'),
  ])
  .meta({ id: 'ImportRecord' });
export type ImportRecordInput = z.infer<typeof ImportRecord>;
export type ImportRecordKind = ImportRecordInput['kind'];

export const ImportDocument = z
  .object({
    institution: z.string().min(1).max(50).describe('the bank whose history this is (its code)'),
    loans: z
      .array(LoanInput)
      .max(IMPORT_LOANS_MAX)
      .default([])
      .describe('loans to submit first (as POST /loans/batch rows); loans already submitted are named by reference only'),
    records: z.array(ImportRecord).max(IMPORT_RECORDS_MAX).default([]),
  })
  .strict()
  .meta({ id: 'ImportDocument' });
export type ImportDocumentInput = z.infer<typeof ImportDocument>;

const Counts = z.object({ created: z.number().int(), unchanged: z.number().int() });

export const ImportView = z
  .object({
    id: z.string(),
    institution: z.string(),
    documentSha256: z.string(),
    /** booking: its parts are being booked (or its last run stopped between two: the same document again resumes it) */
    status: z.enum(['booking', 'completed']),
    importedBy: z.string(),
    importedAt: z.string(),
    counts: z.object({ loans: Counts, records: z.record(z.string(), Counts) }),
    records: z.array(
      z.object({
        index: z.number().int(),
        kind: z.string(),
        ref: z.string(),
        on: z.string(),
        status: z.enum(['created', 'unchanged']),
        id: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Import' });

// ---------------------------------------------------------------- published statements

/**
 * A figure as a bank published it: digits, with or without thousands separators ("1,324,620.45"), an
 * integer or one to four decimals; a rate may end in "%" (a stray space before it is accepted). The text
 * is kept as published (domain/disclosures/imported-statement.ts `PUBLISHED_FIGURE`).
 */
const published = (code: string, what: string, percent = false) =>
  matching(
    percent ? PUBLISHED_RATE : PUBLISHED_FIGURE,
    code,
    `must be ${what} as published: digits with or without thousands separators ("1,324,620.45"), an integer or 1–4 decimals${
      percent ? ', optionally followed by "%"' : ''
    }`,
  );

export const PublishedFigures = z
  .object({
    projects: z.union([
      z.number().int().min(0).max(10_000_000),
      matching(
        PUBLISHED_COUNT,
        'invalid_count',
        'must be a whole number of projects as published, with or without thousands separators ("1,084")',
      ),
    ]),
    loanAmountWanYuan: published('invalid_amount', 'an amount in 万元'),
    weightedAverageRatePercent: published('invalid_rate', 'a rate in percent', true).nullable(),
    annualReductionTonnes: published('invalid_tonnes', 'tonnes CO2e'),
  })
  .strict();
export type PublishedFiguresInput = z.infer<typeof PublishedFigures>;

const Horizons = z.object({ quarter: PublishedFigures, yearToDate: PublishedFigures, sinceInception: PublishedFigures }).strict();

export const AreaEnum = z.enum([
  'clean_energy',
  'energy_saving_environmental_protection',
  'carbon_reduction_technology',
  'energy_saving_retrofit',
  'green_upgrading',
  'energy_transition',
]);

export const PublishedStatementBody = z
  .object({
    publishedOn: IsoDateString.describe('the date the bank published the statement'),
    source: z
      .object({
        url: z
          .string()
          .max(2000)
          .refine((u) => /^https?:\/\/[^\s]+$/.test(u) && URL.canParse(u), {
            message: 'must be an http(s) URL',
            params: { code: 'invalid_url' },
          })
          .optional(),
        title: z.string().trim().min(1).max(500).optional(),
        sha256: Sha256Hex.optional().describe('SHA-256 of the document file'),
      })
      .strict()
      .refine((s) => s.url !== undefined || (s.title !== undefined && s.sha256 !== undefined), {
        message: 'name the source by its URL, or by the document title and its SHA-256',
        params: { code: 'source_required' },
      }),
    horizons: Horizons,
    byArea: z
      .array(
        z.object({ area: AreaEnum, quarter: PublishedFigures, yearToDate: PublishedFigures, sinceInception: PublishedFigures }).strict(),
      )
      .max(20)
      .default([]),
    restatement: z
      .boolean()
      .default(false)
      .describe('true when the bank published a restatement of a quarter already published: stored as a new version'),
  })
  .strict()
  .meta({ id: 'PublishedStatement' });
export type PublishedStatementInput = z.infer<typeof PublishedStatementBody>;

const FigureRow = z.object({
  scope: z.string().describe("'total' or an area"),
  horizon: z.enum(['quarter', 'yearToDate', 'sinceInception']),
  figure: z.enum(['projects', 'loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes']),
  imported: z.string().nullable().describe('the figure as the bank published it (its text)'),
  compiled: z
    .string()
    .nullable()
    .describe("the records' exact figure rounded half up to the published decimals (at least two, a count none)"),
  difference: z
    .string()
    .nullable()
    .describe("the records' exact figure − the published one, exactly when its decimals end (else to 12 decimals, see differenceFraction)"),
  differenceFraction: z
    .string()
    .optional()
    .describe('the exact difference as a reduced fraction "p/q", given when its decimals do not end'),
  agrees: z.boolean().describe("the records' exact figure rounded half up to the published decimals equals the published figure"),
});

export const ReconciliationView = z
  .object({
    institution: z.string(),
    quarter: z.string(),
    imported: z.object({
      version: z.number().int(),
      publishedOn: z.string().nullable(),
      source: z.object({ url: z.string().optional(), title: z.string().optional(), sha256: z.string().optional() }),
    }),
    compiledOn: z.string().describe('the loan-level records as they stood on this date'),
    countedLoans: z.number().int(),
    agrees: z.boolean(),
    differences: z.number().int(),
    rows: z.array(FigureRow),
  })
  .meta({ id: 'Reconciliation' });
