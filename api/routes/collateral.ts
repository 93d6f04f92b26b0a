/** Pledged collateral: revaluation by an operator, coverage checks, and margin calls (bank and operator). */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { parseYuan } from '../../domain/money.js';
import { perform } from '../../app/perform.js';
import { revalueCollateral } from '../../app/refinancing/collateral.js';
import { visibleTo } from '../../app/refinancing/common.js';
import { scanCoverage } from '../../app/refinancing/scans.js';
import { findCollateral, listMarginCalls } from '../../db/repositories/refinancing/collateral.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import {
  CollateralView,
  CoverageView,
  keysetCursor,
  MarginCallQuery,
  MarginCallView,
  RevalueBody,
  RunOnBody,
} from '../../schemas/refinancing.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { presentCollateral, presentCoverage, presentMarginCall } from '../presenters/refinancing.js';
import { parseOrThrow } from '../validate.js';
import { invalidCursor } from './facilities.js';

describe({
  method: 'get',
  path: '/api/v1/collateral/:id',
  operationId: 'getCollateral',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'One pledged instrument with its haircut and eligible value',
  responses: { 200: CollateralView },
});
describe({
  method: 'post',
  path: '/api/v1/collateral/:id/revaluations',
  operationId: 'revalueCollateral',
  errors: ['collateral_released'],
  tag: 'refinancing',
  roles: ['operator'],
  summary: "Revalue an instrument; re-checks the application's coverage (margin call below 100 %)",
  body: RevalueBody,
  responses: { 201: z.object({ collateral: CollateralView, coverage: CoverageView }) },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/collateral/scan-coverage',
  operationId: 'scanCollateralCoverage',
  tag: 'refinancing',
  roles: ['operator'],
  summary: 'Re-check coverage of every application with live support for a date',
  body: RunOnBody,
  responses: { 200: z.object({ on: z.string(), applications: z.number().int(), marginCalls: z.number().int() }) },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/margin-calls',
  operationId: 'listMarginCalls',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: "Margin calls (a bank's own); ?status=open",
  query: MarginCallQuery,
  responses: { 200: pageOf(MarginCallView) },
});

export function collateralRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const today = () => shanghaiDate(now());
  router.get('/collateral/:id', requireRole('bank', 'operator'), async (req, res) => {
    const id = String(req.params.id);
    const row = await findCollateral(db, id, visibleTo(actorOf(res)));
    if (!row) throw notFound(`collateral ${id}`);
    res.json(presentCollateral(row, today()));
  });

  router.post('/collateral/scan-coverage', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RunOnBody, req.body ?? {});
    const on = body.on ?? today();
    if (on > today()) throw validationFailed([{ path: 'on', code: 'date_in_future', message: `${on} is after today` }]);
    res.json(await perform(db, actingOf({ now }, res), ({ tx }) => scanCoverage(tx, { on })));
  });

  router.post('/collateral/:id/revaluations', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RevalueBody, req.body);
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const r = await revalueCollateral(ctx, {
        collateralId: String(req.params.id),
        marketFen: parseYuan(body.marketValue)!,
        valuedOn: body.valuedOn,
        on: body.on,
        reason: body.reason,
      });
      return { collateral: presentCollateral(r.collateral, r.collateral.valuedOn), coverage: presentCoverage(r.coverage) };
    });
    res.status(201).json(answer);
  });

  router.get('/margin-calls', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(MarginCallQuery, req.query);
    const actor = actorOf(res);
    const cursor = keysetCursor(q.cursor, ['date', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [raisedOn, id] = cursor ?? [];
    const rows = await listMarginCalls(db, {
      institutionId: visibleTo(actor).institutionId,
      status: q.status,
      after: typeof raisedOn === 'string' && typeof id === 'string' ? { raisedOn, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(presentMarginCall),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.call.raisedOn, last.call.id]) : null,
    });
  });

  return router;
}
