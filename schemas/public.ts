/**
 * The public downloads (no sign-in) as the API description shows them: the JSON of the home page's
 * totals, the disclosure index, one published disclosure and one institution across quarters. CSV
 * downloads carry the same figures, one row per disclosure (or per scope and horizon).
 */
import { z } from 'zod';
import { AREA_NAMES } from '../domain/policy/index.js';
import { SharedInTotalsJson } from './shared-projects.js';

export const PublishedFigures = z
  .object({
    projects: z
      .number()
      .int()
      .meta({ examples: [5] }),
    loanAmountWanYuan: z.string().meta({ description: 'loans, 万元 (10,000 yuan), two decimals', examples: ['48165.00'] }),
    weightedAverageRatePercent: z
      .string()
      .nullable()
      .meta({ description: 'principal-weighted average rate, percent; null without loans', examples: ['4.46'] }),
    annualReductionTonnes: z.string().meta({ description: 'attributed annual reduction, tonnes CO2e', examples: ['174965.73'] }),
  })
  .meta({ id: 'PublishedFigures' });

export const PublishedHorizons = z
  .object({ quarter: PublishedFigures, yearToDate: PublishedFigures, sinceInception: PublishedFigures })
  .meta({ id: 'PublishedHorizons', description: 'the quarter, the year to date and the total since the facility began' });

const InstitutionNames = z.object({
  code: z.string().meta({ examples: ['CITIC'] }),
  nameZh: z.string().meta({ examples: ['中信银行'] }),
  nameEn: z.string().meta({ examples: ['China CITIC Bank'] }),
});

export const PublishedSummaryJson = z
  .object({
    institution: InstitutionNames,
    quarter: z.string().meta({ examples: ['2022Q3'] }),
    version: z
      .number()
      .int()
      .meta({ examples: [1] }),
    publishedOn: z
      .string()
      .nullable()
      .meta({ examples: ['2022-10-20'] }),
    restatesVersion: z.number().int().nullable(),
    horizons: PublishedHorizons,
  })
  .meta({ id: 'PublishedSummary' });

export const PublishedIndexJson = z
  .object({
    items: z.array(PublishedSummaryJson),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'pass as ?after= for the next page', examples: [null] }),
  })
  .meta({ id: 'PublishedIndex' });

const TotalsCounting = z.object({
  fromLoans: z.number().int().describe('institutions whose figures are computed from the loans their published version froze'),
  asPublished: z.number().int().describe('institutions counted at their published figures (no loan-level records: imported statements)'),
});

export const PublishedTotalsJson = z
  .object({
    latestQuarter: z
      .string()
      .nullable()
      .meta({ examples: ['2022Q3'] }),
    latest: PublishedFigures.describe('the latest quarter'),
    sinceInception: PublishedFigures.describe('since the facility began'),
    institutionsEver: z
      .number()
      .int()
      .meta({ description: 'institutions that have published', examples: [2] }),
    disclosures: z.array(PublishedSummaryJson).describe("the latest quarter's disclosures"),
    sharedProjects: SharedInTotalsJson,
    counting: z
      .object({ latest: TotalsCounting, sinceInception: TotalsCounting })
      .describe(
        "how many institutions' figures are computed from the loans their published versions froze, and how many counted as published",
      ),
  })
  .meta({ id: 'PublishedTotals' });

const AreaFigures = z.object({
  area: z.enum(Object.keys(AREA_NAMES) as [string, ...string[]]),
  quarter: PublishedFigures.optional(),
  yearToDate: PublishedFigures.optional(),
  sinceInception: PublishedFigures.optional(),
});

export const PublishedDisclosureJson = z
  .object({
    institution: InstitutionNames,
    quarter: z.string().meta({ examples: ['2022Q3'] }),
    version: z.number().int(),
    status: z.literal('published'),
    publishedOn: z.string().nullable(),
    restatesVersion: z.number().int().nullable(),
    horizons: PublishedHorizons,
    byArea: z.array(AreaFigures),
    topProjects: z.array(z.object({ name: z.string(), annualReductionTonnes: z.string().optional(), subArea: z.string().optional() })),
    statement: z.object({ zh: z.string(), en: z.string() }).describe('the statement in the template of real disclosures'),
    verification: z
      .object({
        verifierCode: z.string(),
        verifierNameZh: z.string(),
        verifierNameEn: z.string(),
        verdict: z.string().nullable(),
        completedOn: z.string().nullable(),
        summary: z.string().nullable(),
        checksPassed: z.number().int(),
        checksFailed: z.number().int(),
      })
      .nullable(),
    history: z.array(
      z.object({
        version: z.number().int(),
        publishedOn: z.string().nullable(),
        restatesVersion: z.number().int().nullable(),
        contentSha256: z.string(),
        current: z.boolean(),
        imported: z.boolean(),
      }),
    ),
    contentSha256: z.string(),
    imported: z
      .object({
        publishedOn: z.string(),
        source: z.object({ url: z.string().optional(), title: z.string().optional(), sha256: z.string().optional() }),
      })
      .nullable()
      .describe("a bank's statement published before it moved onto the system, imported as figures"),
  })
  .meta({ id: 'PublishedDisclosure' });

export const InstitutionSeriesJson = z
  .object({ institution: InstitutionNames, quarters: z.array(PublishedSummaryJson) })
  .meta({ id: 'InstitutionSeries' });

/** A CSV download: UTF-8 with a byte-order mark, CRLF lines, a header row. */
export const CsvText = z.string().meta({
  description: 'CSV, UTF-8 with a byte-order mark (spreadsheets read the Chinese names), one header row',
  examples: ['institutionCode,nameZh,nameEn,quarter,version,publishedOn,restatesVersion,quarter.projects,…\r\n'],
});

export const PublishedIndexQuery = z.object({
  quarter: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'a quarter, e.g. 2022Q3 (ignored unless it is one)', examples: ['2022Q3'] }),
  institution: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "an institution's code", examples: ['CITIC'] }),
  area: z
    .string()
    .max(100)
    .optional()
    .meta({ description: `an area code: ${Object.keys(AREA_NAMES).join(', ')}`, examples: [Object.keys(AREA_NAMES)[0]] }),
  q: z
    .string()
    .max(100)
    .optional()
    .meta({ description: "text in the institution's or a project's name", examples: ['中信'] }),
  after: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'the `nextCursor` of the page before', examples: ['2022Q3|CITIC'] }),
});
