import { z } from 'zod';
import { IsoDateString, QuarterString } from './common.js';
import { CHECKS } from '../domain/disclosures/checks.js';

export const FacilityStatisticsQuery = z
  .object({
    on: IsoDateString.describe('the date (Asia/Shanghai) the figures are of; default today'),
    series: z.enum(['quarters']).optional().describe('quarters: the figures at every quarter end from 2021-12-31 through the date too'),
  })
  .partial({ on: true })
  .strict();

export const StatementQuery = z.object({ on: IsoDateString.optional() }).strict();
export const BalancesQuery = z.object({ institution: z.string().max(32).optional(), on: IsoDateString.optional() }).strict();

const LoanFigures = {
  loans: z.number().int(),
  loansPrincipal: z.string().describe('yuan: the principal counted in the supported applications'),
  enterprises: z.number().int().describe('distinct borrowers (credit codes)'),
  projects: z.number().int().describe('distinct projects (a national project once)'),
  annualReductionTonnes: z.string().describe('attributed to the supported loans, per loan rounded half up'),
};
const SupportFigures = {
  provided: z.string().describe('yuan: support paid out to date, less reversed disbursements'),
  outstanding: z.string().describe('yuan: relending receivable on the date'),
  weightedRatePercent: z.string().nullable().describe("the outstanding tranches' rates weighted by their outstanding"),
  tranches: z.number().int().describe('tranches with principal outstanding'),
  institutions: z.number().int().describe('banks that had drawn support by the date'),
};

export const FacilityFiguresView = z
  .object({
    on: z.string(),
    total: z.object({ ...SupportFigures, ...LoanFigures }),
    byCategory: z.array(z.object({ category: z.string(), ...SupportFigures, ...LoanFigures })),
    byInstitution: z.array(
      z.object({
        code: z.string(),
        nameZh: z.string(),
        nameEn: z.string(),
        category: z.string().nullable(),
        province: z.string().nullable(),
        ...SupportFigures,
        ...LoanFigures,
      }),
    ),
    byProvince: z.array(z.object({ province: z.string(), ...LoanFigures })).describe("the projects' province"),
    byArea: z.array(z.object({ area: z.string(), ...LoanFigures })),
    bySubArea: z.array(z.object({ subArea: z.string(), ...LoanFigures })),
  })
  .meta({ id: 'FacilityFigures' });

export const FacilityStatisticsView = FacilityFiguresView.extend({
  lastChanged: z
    .object({ at: z.string().nullable(), journalSequence: z.string().nullable() })
    .describe('the latest recording of a journal entry dated on or before the date: a back-dated booking moves it'),
  series: z.array(FacilityFiguresView).nullable(),
}).meta({ id: 'FacilityStatistics' });

export const StatementView = z
  .object({ on: z.string(), firstOperation: z.boolean(), zh: z.string(), en: z.string(), figures: FacilityFiguresView })
  .meta({ id: 'CentralBankStatement' });

export const CheckFindingView = z
  .object({
    kind: z
      .enum(['validity', 'quality', 'macro'])
      .describe('validity stops the submission; quality and macro must be confirmed with a reason'),
    check: z.enum(CHECKS),
    subject: z
      .string()
      .describe('loan:<ref>, project:<ref>, borrower:<credit code>:<project name>, area:<area>, quarter:amount, quarter:reduction or book'),
    message: z.string(),
    confirmation: z.object({ reason: z.string(), at: z.string() }).nullable().describe("the bank's confirmation, with its reason"),
  })
  .meta({ id: 'CheckFinding' });

export const DisclosureChecksView = z
  .object({
    version: z.number().int(),
    status: z.string(),
    submittable: z.boolean().describe('no validity finding, and every quality and macro finding confirmed'),
    findings: z.array(CheckFindingView),
  })
  .meta({ id: 'DisclosureChecks' });

export const QuarterChecksQuery = z
  .object({
    quarter: QuarterString,
    open: z.enum(['true', 'false']).optional().describe('true: only the disclosures with a finding not yet settled'),
  })
  .strict();

export const QuarterChecksView = z
  .object({
    quarter: z.string(),
    disclosures: z.array(
      z.object({
        institution: z.object({ code: z.string(), nameZh: z.string(), nameEn: z.string() }),
        version: z.number().int(),
        status: z.string(),
        submittable: z.boolean(),
        findings: z.array(CheckFindingView),
      }),
    ),
  })
  .meta({ id: 'QuarterChecks' });

export const ConfirmFindingBody = z
  .object({ check: z.string().min(1).max(64), subject: z.string().min(1).max(200), reason: z.string().min(1).max(2000) })
  .strict()
  .meta({ id: 'ConfirmFinding' });

export const InstitutionCategoriesView = z
  .object({
    on: z.string(),
    eligible: z.array(z.string()).describe('the categories of institution eligible on the date'),
    versions: z.array(z.object({ effectiveFrom: z.string(), categories: z.array(z.string()), note: z.string() })),
  })
  .meta({ id: 'InstitutionCategories' });
