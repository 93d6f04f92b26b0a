/**
 * The national register of projects (docs/projects.md): the operators' list of projects over-funded or in
 * conflict, one project with every bank's loans, and the four-eyes acts on it (link, split, decide).
 */
import { z } from 'zod';
import { PageQuery, TonnesString, YuanString } from './common.js';

/** Free text: trimmed, not empty, bounded, and without NUL (which PostgreSQL text cannot hold). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain the NUL character', params: { code: 'invalid_character' } });
const Uuid = z.uuid('must be a project id (a UUID)');

export const ProjectListQuery = PageQuery.extend({
  creditCode: z
    .string()
    .trim()
    .min(1)
    .max(18)
    .optional()
    .describe('every project of this borrower (whatever its state), to find the spellings to link'),
}).strict();

const Yuan = (description: string, example: string) => z.string().meta({ description, examples: [example] });
const Tonnes = (description: string, example: string) => z.string().meta({ description, examples: [example] });

const Figures = z
  .object({
    totalInvestment: Yuan('total investment, yuan', '100000000.00'),
    annualReductionTonnes: Tonnes('annual reduction, tonnes CO2e', '50000.00'),
  })
  .meta({ id: 'ProjectFigures' });

const Institution = z.object({ code: z.string(), nameZh: z.string(), nameEn: z.string() });

export const ProjectState = z
  .object({
    conflict: z.boolean().describe('its banks declared different figures and no operator decided them'),
    overfunded: z.boolean().describe("every bank's loans together exceed the registered total investment"),
    excess: Yuan('by how much they exceed it (yuan; 0.00 when they do not)', '60000000.00'),
    registeredInvestment: Yuan(
      'the total investment the loans are checked against: the decided one, else the smallest declared',
      '100000000.00',
    ),
  })
  .meta({ id: 'ProjectState' });

export const ProjectSummaryView = z
  .object({
    id: z.uuid(),
    creditCode: z.string().describe("the borrower's unified social credit code"),
    name: z.string().describe('the name as the first loan to it wrote it'),
    province: z.string(),
    banks: z.number().int().describe('banks lending to it'),
    funded: Yuan("Σ principal of every bank's loans to it", '160000000.00'),
    state: ProjectState,
    declared: z.array(Figures).describe('each distinct declaration of its figures'),
    decided: Figures.extend({ decidedAt: z.string(), reason: z.string().nullable() })
      .nullable()
      .describe("the figures an operator decided (four eyes); every bank's loans are then attributed with them"),
  })
  .meta({ id: 'ProjectSummary' });

export const ProjectListJson = z
  .object({ items: z.array(ProjectSummaryView), nextCursor: z.string().nullable() })
  .meta({ id: 'ProjectList', description: 'projects over-funded or in conflict (or every project of one borrower), in id order' });

const RegisterLoan = z.object({
  id: z.uuid(),
  loanRef: z.string(),
  projectRef: z.string().describe('the project as its bank records it'),
  projectName: z.string(),
  province: z.string(),
  creditCode: z.string(),
  disbursedOn: z.string(),
  principal: Yuan('principal, yuan', '80000000.00'),
  declared: Figures.describe("the project's figures as this bank declared them"),
  attributedAnnualReductionTonnes: Tonnes(
    "the loan's attributed annual reduction: the decided figures when there are, else its bank's (rounded half up)",
    '25000.00',
  ),
});

export const ProjectView = ProjectSummaryView.extend({
  mergedInto: z.uuid().nullable().describe('the project this one was linked into (it then has no loans)'),
  spellings: z
    .array(z.object({ creditCode: z.string(), name: z.string(), province: z.string(), loans: z.number().int() }))
    .describe('every spelling its loans use (a link joins spellings; a split takes one off)'),
  attributedAnnualReductionTonnes: Tonnes("Σ of every bank's attributed reductions", '50000.00'),
  banks: z.number().int(),
  byBank: z.array(
    z.object({
      institution: Institution,
      principal: Yuan('Σ principal of the bank’s loans to it', '80000000.00'),
      attributedAnnualReductionTonnes: Tonnes('Σ of the bank’s attributed reductions', '25000.00'),
      loans: z.array(RegisterLoan),
    }),
  ),
}).meta({ id: 'Project', description: 'one project of the national register with every bank’s loans (operators only)' });

export const LinkProjectsBody = z
  .object({ otherProject: Uuid.describe('the project to link into this one'), reason: text(1000) })
  .strict()
  .meta({ id: 'ProjectLink' });

export const SplitProjectBody = z
  .object({
    creditCode: text(18).describe('the spelling to split off: credit code, project name and province (compared folded)'),
    name: text(500),
    province: text(100),
    reason: text(1000),
  })
  .strict()
  .meta({ id: 'ProjectSplit' });

export const DecideProjectBody = z
  .object({ totalInvestment: YuanString, annualReductionTonnes: TonnesString, reason: text(1000) })
  .strict()
  .meta({ id: 'ProjectDecision' });
