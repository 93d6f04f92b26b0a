/**
 * Projects financed by several banks (same borrower credit code, project name and province): the
 * operators' listing and what the public national totals count once.
 */
import { z } from 'zod';
import { QuarterString } from './common.js';

export const SharedProjectsQuery = z
  .object({ quarter: QuarterString.optional().describe('loans disbursed on or before the end of this quarter; default: every loan') })
  .strict();

const Tonnes = (description: string, example: string) => z.string().meta({ description, examples: [example] });

export const CountedOnceJson = z
  .object({
    sharedProjects: z
      .number()
      .int()
      .meta({ description: 'projects financed by several banks, each counted once', examples: [1] }),
    projectsNotCounted: z
      .number()
      .int()
      .meta({ description: "the projects the banks' own counts add beyond one per shared project", examples: [1] }),
    reductionNotCountedTonnes: Tonnes(
      "the banks' attributed reductions above each shared project's own annual reduction, left out of the totals (tonnes CO2e)",
      '60.00',
    ),
  })
  .meta({ id: 'CountedOnce' });

export const SharedInTotalsJson = z
  .object({
    latest: CountedOnceJson.describe('in the latest quarter'),
    sinceInception: CountedOnceJson.describe('since the facility began'),
    rule: z.string().meta({ examples: ['…'] }),
  })
  .meta({
    id: 'SharedProjectsInTotals',
    description:
      "Projects financed by several banks count once: one project, and a reduction never above the project's own; loan amounts still add up",
  });

export const SharedProjectLoanJson = z.object({
  loanId: z.string(),
  loanRef: z.string(),
  projectRef: z.string().meta({ description: "the project's reference at this bank" }),
  principal: z.string().meta({ description: 'yuan', examples: ['8000000.00'] }),
  disbursedOn: z.string().meta({ examples: ['2022-08-15'] }),
  quarter: z.string().meta({ examples: ['2022Q3'] }),
  attributedAnnualReductionTonnes: Tonnes("the project's reduction × principal ÷ total investment", '80.00'),
});

export const SharedProjectJson = z
  .object({
    creditCode: z.string().meta({ examples: ['91110108MA00000010'] }),
    projectName: z.string().meta({ examples: ['某某风电项目'] }),
    province: z.string().meta({ examples: ['内蒙古自治区'] }),
    quarters: z.array(z.string()).meta({ description: 'the quarters its loans were disbursed in', examples: [['2022Q3']] }),
    banks: z.array(
      z.object({
        institution: z.object({ code: z.string(), nameZh: z.string(), nameEn: z.string() }),
        principal: z.string(),
        attributedAnnualReductionTonnes: z.string(),
        loans: z.array(SharedProjectLoanJson),
      }),
    ),
    projects: z
      .number()
      .int()
      .meta({ description: 'the references the banks count it under', examples: [2] }),
    principal: z.string().meta({ description: 'Σ principal of every bank (yuan): each bank lent its own money' }),
    attributedAnnualReductionTonnes: z.string().meta({ description: "Σ of the banks' attributed reductions" }),
    projectAnnualReductionTonnes: z.string().meta({ description: "the project's own annual reduction (the largest its banks declared)" }),
    countedOnceTonnes: z.string().meta({ description: 'what the national totals count: the smaller of the two above' }),
    notCountedTonnes: z.string().meta({ description: 'the reduction that would have been counted more than once' }),
  })
  .meta({ id: 'SharedProject' });

export const SharedProjectsJson = z
  .object({
    through: z
      .string()
      .nullable()
      .meta({ description: 'loans disbursed on or before this date (null: every loan)', examples: ['2022-09-30'] }),
    totals: CountedOnceJson,
    items: z.array(SharedProjectJson),
  })
  .meta({ id: 'SharedProjects' });
