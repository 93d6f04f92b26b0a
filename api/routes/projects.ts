/**
 * The national register of projects (docs/projects.md), for operators: the projects over-funded or in
 * conflict, one project with every bank's loans, and the four-eyes acts on it — link two projects into
 * one, split a spelling off, decide a project's figures — each proposed here (202, the pending approval)
 * and taking effect when another operator confirms it at POST /api/v1/approvals/:id/confirm.
 */
import { Router } from 'express';
import { z } from 'zod';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { perform } from '../../app/perform.js';
import { registerEntriesNeedingAttention, registerEntryLoans, registerEntrySummary } from '../../db/read-models/projects.js';
import { findRegisterEntry } from '../../db/repositories/project-register.js';
import { parseTonnes, parseYuan } from '../../domain/money.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { CursorPart, encodeCursor } from '../../schemas/common.js';
import {
  DecideProjectBody,
  LinkProjectsBody,
  ProjectListJson,
  ProjectListQuery,
  ProjectView,
  SplitProjectBody,
} from '../../schemas/projects.js';
import { actingOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentProject, presentProjectSummary } from '../presenters/projects.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';
import { answerProposal } from './approvals.js';

const ProjectId = z.object({ id: z.string() });

describe({
  method: 'get',
  path: '/api/v1/projects',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'listProjectsNeedingDecision',
  summary:
    "Projects of the national register over-funded or in conflict: every bank's loans above the total investment, or different figures declared and none decided",
  description:
    'A project is one entry of the register whichever banks lend to it: the borrower credit code with the project name and province, compared without whitespace, full-width and case differences (an operator links other spellings). ' +
    "`state.overfunded`: the loans of all banks exceed the registered total investment (the decided one, else the smallest declared) by `state.excess`. `state.conflict`: its banks declared different total investments or reductions and no operator decided the project's figures (POST /api/v1/projects/:id/decision).",
  query: ProjectListQuery,
  responses: { 200: ProjectListJson },
});
describe({
  method: 'get',
  path: '/api/v1/projects/:id',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'getProject',
  summary: "One project of the national register with every bank's loans, declared and decided figures, and attributed reductions",
  responses: { 200: ProjectView },
});
describe({
  method: 'post',
  path: '/api/v1/projects/:id/link',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'linkProjects',
  summary:
    'Propose linking another project into this one (two spellings of one project; four eyes): from then on the over-funding check counts the loans of both',
  body: LinkProjectsBody,
  responses: { 202: ApprovalView },
  idempotent: true,
  errors: ['projects_already_linked'],
});
describe({
  method: 'post',
  path: '/api/v1/projects/:id/split',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'splitProject',
  summary:
    'Propose splitting a wrongly linked spelling (credit code, name, province) off this project, with its loans, into a project of its own (four eyes)',
  body: SplitProjectBody,
  responses: { 202: ApprovalView },
  idempotent: true,
  errors: ['spelling_not_linked'],
});
describe({
  method: 'post',
  path: '/api/v1/projects/:id/decision',
  tag: 'loans',
  roles: ['operator'],
  operationId: 'decideProjectFigures',
  summary:
    "Propose the project's figures (total investment, annual reduction; four eyes): every bank's loans to it are then attributed with them, and its banks' compiled quarters get their next versions (reason project_decided)",
  description:
    "Attributed reduction of a loan = decided reduction × principal ÷ the decided total investment (or every bank's loans together, when they exceed it), so the banks' attributed reductions of one project never add up to more than its reduction.",
  body: DecideProjectBody,
  responses: { 202: ApprovalView },
  idempotent: true,
  examples: {
    request: [
      {
        summary: 'figures of the feasibility study',
        value: { totalInvestment: '100000000.00', annualReductionTonnes: '50000.00', reason: 'feasibility study of 2022-03' },
      },
    ],
  },
});

export function projectRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/projects', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(ProjectListQuery, req.query);
    const cursor = cursorOrThrow(z.tuple([CursorPart.uuid]), q.cursor);
    const rows = await registerEntriesNeedingAttention(db, { limit: q.limit, after: cursor ? cursor[0] : null, creditCode: q.creditCode });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({ items: page.map(presentProjectSummary), nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null });
  });

  router.get('/projects/:id', requireRole('operator'), async (req, res) => {
    const { id } = parseOrThrow(ProjectId, req.params);
    const entry = await findRegisterEntry(db, id);
    if (!entry) throw notFound(`project ${id}`);
    const summary = (await registerEntrySummary(db, entry.id)) ?? {
      id: entry.id,
      creditCode: entry.creditCode,
      name: entry.name,
      province: entry.province,
      decided: null,
      banks: 0,
      fundedFen: 0n,
      declared: [],
    };
    res.json(presentProject(summary, await registerEntryLoans(db, entry.id), entry.mergedInto));
  });

  const propose = <K extends 'link_projects' | 'split_project' | 'decide_project_figures'>(
    kind: K,
    input: (id: string, body: unknown) => Parameters<typeof proposeAct<K>>[2],
    schema: z.ZodType,
  ) =>
    router.post(
      `/projects/:id/${kind === 'link_projects' ? 'link' : kind === 'split_project' ? 'split' : 'decision'}`,
      requireRole('operator'),
      async (req, res) => {
        const { id } = parseOrThrow(ProjectId, req.params);
        const body = parseOrThrow(schema, req.body) as { reason: string };
        const proposed = await perform(db, actingOf({ now }, res), (ctx) =>
          proposeAct(ctx, kind, input(id, body), { reason: body.reason }),
        );
        if (proposed.performed) throw new Error(`${kind} always takes four eyes`);
        await answerProposal({ database, now }, res, proposed.approval.id);
      },
    );

  propose(
    'link_projects',
    (id, b) => {
      const body = b as z.infer<typeof LinkProjectsBody>;
      return { id, otherId: body.otherProject, reason: body.reason };
    },
    LinkProjectsBody,
  );
  propose('split_project', (id, b) => ({ id, ...(b as z.infer<typeof SplitProjectBody>) }), SplitProjectBody);
  propose(
    'decide_project_figures',
    (id, b) => {
      const body = b as z.infer<typeof DecideProjectBody>;
      return {
        id,
        totalInvestmentFen: String(parseYuan(body.totalInvestment)!),
        annualReductionCentitonnes: String(parseTonnes(body.annualReductionTonnes)!),
        reason: body.reason,
      };
    },
    DecideProjectBody,
  );

  return router;
}
