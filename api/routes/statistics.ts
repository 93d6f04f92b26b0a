/**
 * The facility's own figures on a date: support provided and outstanding, the loans it supports, the
 * enterprises, projects and annual reduction, by category, province, area and bank, and the central
 * bank's statement of them. Operators see every bank; the public view is the published part (no bank's
 * own line).
 */
import { Router } from 'express';
import { facilityStatement, facilityStatistics, readFigures } from '../../app/statistics/facility-statistics.js';
import { publishedStatistics } from '../../app/statistics/published-statistics.js';
import { shanghaiDate } from '../../domain/dates.js';
import type { FacilityStatistics } from '../../app/statistics/facility-statistics.js';
import {
  FacilityStatisticsQuery,
  FacilityStatisticsView,
  InstitutionCategoriesView,
  StatementQuery,
  StatementView,
} from '../../schemas/statistics.js';
import { categoryEligibilityOn, policyData } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { actorOf, requireRole } from '../auth.js';
import { describe } from '../openapi.js';
import { presentFigures, presentPublicFigures } from '../presenters/statistics.js';
import { parseOrThrow } from '../validate.js';

describe({
  method: 'get',
  operationId: 'getFacilityStatistics',
  path: '/api/v1/facility/statistics',
  tag: 'refinancing',
  roles: ['operator'],
  summary:
    "The facility's figures on a date (journal and loans with effective dates on or before it), in total and by category, province, area and bank; ?series=quarters adds every quarter end",
  query: FacilityStatisticsQuery,
  responses: { 200: FacilityStatisticsView },
});
describe({
  method: 'get',
  operationId: 'getFacilityStatement',
  path: '/api/v1/facility/statement',
  tag: 'refinancing',
  roles: ['operator'],
  summary: "The central bank's statement of the figures on a date, in its words (zh, en), in 亿元 and 万吨",
  query: StatementQuery,
  responses: { 200: StatementView },
});
describe({
  method: 'get',
  operationId: 'getPublicFacilityStatistics',
  path: '/api/v1/public/facility/statistics',
  tag: 'refinancing',
  roles: [],
  summary: "The published part of the facility's figures on a date (no bank's own line); ?series=quarters adds every quarter end",
  query: FacilityStatisticsQuery,
  responses: { 200: FacilityStatisticsView },
});

describe({
  method: 'get',
  operationId: 'listInstitutionCategories',
  path: '/api/v1/policy/institution-categories',
  tag: 'policy',
  roles: [],
  summary: 'The categories of institution eligible on a date (default today), and every version of them',
  query: StatementQuery,
  responses: { 200: InstitutionCategoriesView },
});

export function presentStatistics(s: FacilityStatistics, present = presentFigures) {
  return {
    ...present(s.figures),
    lastChanged: { at: s.lastChanged.at?.toISOString() ?? null, journalSequence: s.lastChanged.sequence },
    series: s.series?.map(present) ?? null,
  };
}

export function statisticsRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/facility/statistics', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(FacilityStatisticsQuery, req.query);
    const input = { on: q.on ?? shanghaiDate(now()), series: q.series === 'quarters' };
    const stats = await readFigures(db, { now: now(), actor: actorOf(res) }, (ctx) => facilityStatistics(ctx, input));
    res.json(presentStatistics(stats));
  });

  router.get('/facility/statement', requireRole('operator'), async (req, res) => {
    const q = parseOrThrow(StatementQuery, req.query);
    const on = q.on ?? shanghaiDate(now());
    const statement = await readFigures(db, { now: now(), actor: actorOf(res) }, (ctx) => facilityStatement(ctx, { on }));
    res.json({ ...statement, figures: presentFigures(statement.figures) });
  });

  router.get('/public/facility/statistics', async (req, res) => {
    const q = parseOrThrow(FacilityStatisticsQuery, req.query);
    const input = { on: q.on ?? shanghaiDate(now()), series: q.series === 'quarters' };
    const stats = await publishedStatistics(db).get({ now: now(), actor: null }, input);
    res.json(presentStatistics(stats, presentPublicFigures));
  });

  router.get('/policy/institution-categories', (req, res) => {
    const q = parseOrThrow(StatementQuery, req.query);
    const on = q.on ?? shanghaiDate(now());
    const versions = policyData().categoryEligibilityVersions;
    res.json({ on, eligible: categoryEligibilityOn(on, versions)?.categories ?? [], versions });
  });

  return router;
}
