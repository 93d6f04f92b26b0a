/**
 * Projects financed by several banks, flagged to operators (domain/disclosures/shared-projects.ts): the
 * loans the disclosures count (covered by approved support) grouped by borrower credit code, project name
 * and province, each group with loans of two or more banks, and what the national totals count once.
 */
import { Router } from 'express';
import { quarterBounds } from '../../domain/dates.js';
import { sharedProjectLoans } from '../../db/read-models/shared-projects.js';
import { SharedProjectsJson, SharedProjectsQuery } from '../../schemas/shared-projects.js';
import { requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { describe } from '../openapi.js';
import { presentSharedProjects } from '../presenters/shared-projects.js';
import { parseOrThrow } from '../validate.js';

describe({
  method: 'get',
  path: '/api/v1/shared-projects',
  operationId: 'listSharedProjects',
  tag: 'disclosures',
  roles: ['operator'],
  summary:
    'Projects financed by several banks (same borrower credit code, project name and province): each bank with its loans, amounts and reductions, and what the national totals count once',
  description:
    'Among the loans the disclosures count (covered by approved support), disbursed on or before the end of `quarter` (every loan without it). ' +
    'Names and provinces are compared without whitespace, full-width forms and Latin capitals. A shared project counts once in the public ' +
    "national totals: one project, and a reduction never above the project's own annual reduction; loan amounts still add up.",
  query: SharedProjectsQuery,
  responses: { 200: SharedProjectsJson },
});

export function sharedProjectRoutes({ database }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/shared-projects', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(SharedProjectsQuery, req.query);
    const through = q.quarter ? quarterBounds(q.quarter).end : null;
    res.json(presentSharedProjects(await sharedProjectLoans(db, { through }), through));
  });

  return router;
}
