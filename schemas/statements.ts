/** Statements: a bank's statement format, the projects it names, a new version's reason, the frozen loan list. */
import { z } from 'zod';
import { DECIMAL_RANGES } from '../domain/disclosures/format.js';
import { IsoDateString, PageQuery } from './common.js';

const decimals = (key: keyof typeof DECIMAL_RANGES, what: string) => {
  const [min, max] = DECIMAL_RANGES[key];
  return z
    .number()
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      message: `must be a whole number of decimals from ${min} to ${max}`,
      params: { code: 'decimals_out_of_range' },
    })
    .meta({ description: `decimals of ${what}, ${min}–${max}`, minimum: min, maximum: max });
};

export const StatementFormatBody = z
  .object({
    effectiveFrom: IsoDateString.optional().meta({
      description: 'the first day it applies (default today); a quarter uses the setting in force on its last day',
    }),
    amountDecimals: decimals('amountDecimals', 'amounts in 万元').default(2),
    rateDecimals: decimals('rateDecimals', 'weighted average rates in percent').default(2),
    reductionDecimals: decimals('reductionDecimals', 'annual reductions in tonnes').default(2),
    wholeAmountsWithoutDecimals: z
      .boolean()
      .default(false)
      .meta({ description: 'an amount whole at its decimals prints without them ("10000万元")' }),
    trimTrailingZeros: z.boolean().default(false).meta({ description: 'figures drop trailing zeros of their decimals ("4.2%", "24428")' }),
    thousandsSeparators: z.boolean().default(false).meta({ description: 'separators in figures and project counts ("1,324,620.45")' }),
    variant: z.enum(['A', 'B']).default('A').meta({ description: 'wording: A (most banks) or B ("向符合条件的…", "较典型的项目如…等")' }),
  })
  .strict()
  .meta({ id: 'StatementFormatBody' });

export const StatementFormatSetting = z
  .object({
    effectiveFrom: z.string(),
    amountDecimals: z.number().int(),
    rateDecimals: z.number().int(),
    reductionDecimals: z.number().int(),
    wholeAmountsWithoutDecimals: z.boolean(),
    trimTrailingZeros: z.boolean(),
    thousandsSeparators: z.boolean(),
    variant: z.enum(['A', 'B']),
    setAt: z.string(),
  })
  .meta({ id: 'StatementFormat' });

export const StatementFormatView = z.object({
  institution: z.string(),
  setting: StatementFormatSetting.nullable(),
  history: z.array(StatementFormatSetting),
});

export const NamedProjectsBody = z
  .object({
    projects: z
      .array(z.string().min(1).max(100))
      .max(3, 'at most 3 projects')
      .meta({ description: 'references of 0–3 projects the disclosure counted, in the order the statement names them' }),
  })
  .strict()
  .meta({ id: 'NamedProjects' });

export const SubmitBody = z
  .object({ namedProjects: NamedProjectsBody.shape.projects.optional() })
  .strict()
  .meta({ id: 'SubmitDisclosure', description: 'optionally, the projects to name (as PUT …/named-projects) before submitting' });

export const NewVersionBody = z
  .object({ reason: z.string().trim().min(1, 'a new version needs its reason').max(1000) })
  .strict()
  .meta({ id: 'NewVersion', description: 'why the version is corrected or restated (shown with the new version)' });

export const LoanSetQuery = PageQuery.extend({ version: z.coerce.number().int().min(1).optional() });

export const DisclosureLoan = z
  .object({
    loanId: z.string(),
    loanRef: z.string(),
    principal: z.string().meta({ description: 'yuan' }),
    annualRatePercent: z.string(),
    disbursedOn: z.string(),
    attributedAnnualReductionTonnes: z.string(),
    projectRef: z.string(),
    subArea: z.string(),
    area: z.string().nullable(),
  })
  .meta({ id: 'DisclosureLoan' });

export const DisclosureLoanPage = z.object({
  institution: z.string(),
  quarter: z.string(),
  version: z.number().int(),
  loanSet: z.object({ loans: z.number().int(), sha256: z.string() }).nullable(),
  items: z.array(DisclosureLoan),
  nextCursor: z.string().nullable(),
});
