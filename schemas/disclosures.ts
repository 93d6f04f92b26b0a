/** Disclosures: request bodies, the disclosure JSON (API.md), and the compile/publish job payloads. */
import { z } from 'zod';
import type { SubAreaSums, TopProjectSums } from '../domain/disclosures/compile.js';
import { QuarterString } from './common.js';

export const CompileBody = z.object({ quarter: QuarterString }).strict().meta({ id: 'CompileDisclosures' });

export const CompileAccepted = z
  .object({
    quarter: z.string(),
    jobId: z.string(),
    new: z.boolean(),
    banks: z.array(z.string()).meta({ description: 'banks with support whose version 1 the job compiles' }),
    follow: z.string(),
  })
  .meta({ id: 'CompileAccepted' });

export const NewVersionAccepted = z.object({
  jobId: z.string(),
  version: z.number().int(),
  kind: z.enum(['correction', 'restatement']),
  follow: z.string(),
});

export const ListDisclosuresQuery = z.object({
  quarter: QuarterString.optional(),
  institution: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});

export const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() });

const Figures = z.object({
  projects: z.number().int(),
  loanAmountWanYuan: z.string().meta({ description: "printed in the bank's statement format" }),
  weightedAverageRatePercent: z.string().nullable(),
  annualReductionTonnes: z.string(),
  exact: z
    .object({ loanAmountWanYuan: z.string(), weightedAverageRatePercent: z.string().nullable(), annualReductionTonnes: z.string() })
    .optional()
    .meta({ description: 'the figures at the ledger precision: amount to the fen, rate to 0.0001 %, reduction to 0.0001 t' }),
  reductionMethods: z.record(z.string(), z.string()).nullable().optional().meta({
    description: 'share of the reduction (percent) from feasibility studies, environmental impact assessments and third-party assessments',
  }),
});

export const Disclosure = z
  .object({
    institution: z.object({ code: z.string(), nameZh: z.string(), nameEn: z.string() }),
    quarter: z.string(),
    version: z.number().int(),
    status: z.enum(['compiled', 'submitted', 'under_verification', 'verified', 'rejected', 'published', 'superseded']),
    period: z.object({ start: z.string(), end: z.string(), yearStart: z.string() }),
    horizons: z.object({ quarter: Figures, yearToDate: Figures, sinceInception: Figures }),
    byArea: z.array(
      z.object({
        area: z.string(),
        nameZh: z.string(),
        nameEn: z.string(),
        quarter: Figures,
        yearToDate: Figures,
        sinceInception: Figures,
      }),
    ),
    topProjects: z.array(z.object({ ref: z.string(), name: z.string(), area: z.string().nullable(), annualReductionTonnes: z.string() })),
    statement: z.object({ zh: z.string(), en: z.string() }),
    basis: z.object({ countedLoans: z.string(), rounding: z.string(), loans: z.number().int() }),
    previousVersion: z.number().int().nullable(),
    restatesVersion: z.number().int().nullable(),
    restatedBy: z.number().int().nullable(),
    /** why this version was compiled as a correction of the records (db/schema/disclosures.ts VERSION_REASONS), or null */
    reason: z
      .enum(['support_after_compile', 'support_withdrawn', 'loan_changed', 'history_imported', 'project_decided', 'operator_correction'])
      .nullable()
      .meta({
        description:
          'why the version corrects the previous one: support approved late, an approval withdrawn, a loan changed, a history import, a project decided, or an operator by hand',
      }),
    /** the loans this version counts that the previous one did not */
    addedLoanIds: z.array(z.string()),
    namedProjects: z
      .array(z.object({ ref: z.string(), name: z.string() }))
      .meta({ description: 'the projects the bank names in its statement (0–3), chosen before it submits' }),
    format: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: "the statement format the figures print in (the bank's setting in force at the quarter's end)" }),
    loanSet: z
      .object({ loans: z.number().int(), sha256: z.string() })
      .nullable()
      .meta({ description: 'the frozen list of counted loans (GET …/loans): its length and SHA-256, covered by contentSha256' }),
    changeReason: z.string().nullable().meta({ description: 'why this version replaces the previous one' }),
    difference: z.record(z.string(), z.unknown()).nullable().meta({
      description:
        'the difference from the version it replaces: { from, reason, figures: [...], loans: [{ change: added|removed|changed, … }] }',
    }),
    compiledAt: z.string(),
    submittedAt: z.string().nullable(),
    publishedOn: z.string().nullable(),
    verification: z
      .object({
        verifier: z.string(),
        verifierNameZh: z.string(),
        assignedAt: z.string(),
        verdict: z.enum(['verified', 'rejected']).nullable(),
        completedOn: z.string().nullable(),
        reportSha256: z.string().nullable(),
      })
      .nullable(),
    contentSha256: z.string(),
    imported: z
      .object({
        publishedOn: z.string(),
        source: z.object({ url: z.string().optional(), title: z.string().optional(), sha256: z.string().optional() }),
      })
      .nullable()
      .describe(
        "a bank's already published statement, imported as figures (not compiled or verified here): when and where it was published",
      ),
  })
  .meta({ id: 'Disclosure' });

export const DisclosurePage = z.object({ items: z.array(Disclosure), nextCursor: z.string().nullable() });

export const CompileQuarterJob = z.object({ quarter: z.string().optional() });

/** A part of a quarter's fan-out: the banks whose sums and loan sets one job reads (app/disclosures/compile-quarter.ts). */
export const CompileQuarterPartJob = z.object({ quarter: z.string(), institutionIds: z.array(z.uuid()).min(1) });

/** A bigint in a job payload (JSON has none): `{ "$bigint": "123" }`, decoded to `123n` when the processor parses it. */
export const BigintJson = z.codec(z.object({ $bigint: z.string().regex(/^-?\d+$/) }).strict(), z.bigint(), {
  decode: (json) => BigInt(json.$bigint),
  encode: (value) => ({ $bigint: value.toString() }),
});
const CountJson = z.number().int().min(0);
/** One horizon's raw sums (domain/disclosures/figures.ts `HorizonSums`). */
const HorizonSumsJson = z.object({
  projects: CountJson,
  loans: CountJson,
  principalFen: BigintJson,
  rateWeightedPpmFen: BigintJson,
  reductionLowerUnits: BigintJson,
  reductionTerms: CountJson,
});
/**
 * A bank's raw sums for a quarter as the quarter's fan-out carries them to its compile job: per sub-area
 * and horizon (domain/disclosures/compile.ts `SubAreaSums`), and its projects with the largest reduction
 * (`TopProjectSums`). `z.encode(BankSumsJson, sums)` writes it, the compile job's parse reads it back.
 */
export const BankSumsJson = z.object({
  subAreas: z.array(
    z.object({
      subArea: z.string(),
      basis: z.string().optional(),
      quarter: HorizonSumsJson,
      yearToDate: HorizonSumsJson,
      sinceInception: HorizonSumsJson,
    }),
  ),
  topProjects: z.array(z.object({ ref: z.string(), name: z.string(), subArea: z.string(), num: BigintJson, den: BigintJson })),
});

/** The parsed sums are the domain's own types (a field added to one and not the other fails the type check). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<z.output<typeof BankSumsJson>, { subAreas: SubAreaSums[]; topProjects: TopProjectSums[] }>;

export const CompileJob = z.object({
  institutionId: z.string().uuid(),
  quarter: QuarterString,
  version: z.number().int().min(1),
  previousVersionId: z.string().uuid().nullable(),
  restatesVersionId: z.string().uuid().nullable(),
  /** the bank's sums computed by the quarter's fan-out; absent: the compile job computes them */
  precomputed: BankSumsJson.optional(),
  /** the bank's frozen loan set, stored by the fan-out's same read (its key, null without loans); absent: the compile job freezes it */
  loanSet: z.object({ key: z.string().nullable(), loans: z.number().int().min(0), sha256: z.string() }).optional(),
  /** why the new version replaces the previous one (a correction's or restatement's reason) */
  changeReason: z.string().optional(),
});
export const CorrectJob = z.object({
  changes: z.array(z.object({ institutionId: z.string().uuid(), from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })),
  reason: z.enum([
    'support_after_compile',
    'support_withdrawn',
    'loan_changed',
    'history_imported',
    'project_decided',
    'operator_correction',
  ]),
  changeReason: z.string().optional(),
  at: z.string(),
});
export const PublishJob = z.object({ versionId: z.string().uuid() });
export const DailyJob = z.object({ on: z.string().optional() });
