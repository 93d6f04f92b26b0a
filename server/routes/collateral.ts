/** Pledged collateral: revaluation by an operator, coverage checks, and margin calls (bank and operator). */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent, formatYuan, parseYuan } from '../../domain/money.js';
import { findCollateral, listMarginCalls, revalueCollateral, scanCoverage } from '../../db/repositories/refinancing.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { keysetCursor } from '../../schemas/refinancing.js';
import { invalidCursor } from './facilities.js';
import { CollateralView, CoverageView, MarginCallQuery, MarginCallView, RevalueBody, RunOnBody } from '../../schemas/refinancing.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';
import { presentCollateral } from './applications.js';

describe({ method: 'get', path: '/api/v1/collateral/:id', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'One pledged instrument with its haircut and eligible value', responses: { 200: CollateralView } });
describe({ method: 'post', path: '/api/v1/collateral/:id/revaluations', tag: 'refinancing', roles: ['operator'], summary: "Revalue an instrument; re-checks the application's coverage (margin call below 100 %)", body: RevalueBody, responses: { 201: z.object({ collateral: CollateralView, coverage: CoverageView }) }, idempotent: true });
describe({ method: 'post', path: '/api/v1/collateral/scan-coverage', tag: 'refinancing', roles: ['operator'], summary: 'Re-check coverage of every application with live support for a date', body: RunOnBody, responses: { 200: z.object({ on: z.string(), applications: z.number().int(), marginCalls: z.number().int() }) }, idempotent: true });
describe({ method: 'get', path: '/api/v1/margin-calls', tag: 'refinancing', roles: ['bank', 'operator'], summary: "Margin calls (a bank's own); ?status=open", query: MarginCallQuery, responses: { 200: pageOf(MarginCallView) } });

export function collateralRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const today = () => shanghaiDate(now());

  router.get('/collateral/:id', requireRole('bank', 'operator'), async (req, res) => {
    const actor = actorOf(res);
    const row = await findCollateral(db, String(req.params.id), { institutionId: actor.role === 'operator' ? null : actor.institutionId });
    res.json(presentCollateral(row, today()));
  });

  router.post('/collateral/scan-coverage', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RunOnBody, req.body ?? {});
    const on = body.on ?? today();
    if (on > today()) throw validationFailed([{ path: 'on', code: 'date_in_future', message: `${on} is after today` }]);
    res.json(await db.transaction((tx) => scanCoverage(tx, { on })));
  });

  router.post('/collateral/:id/revaluations', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RevalueBody, req.body);
    const actor = actorOf(res);
    const on = body.valuedOn ?? today();
    if (on > today()) throw validationFailed([{ path: 'valuedOn', code: 'date_in_future', message: `${on} is after today` }]);
    const view = await db.transaction(async (tx) => {
      const r = await revalueCollateral(tx, { id: String(req.params.id), marketFen: parseYuan(body.marketValue)!, on, userId: actor.userId });
      const c = r.coverage;
      return {
        collateral: presentCollateral(r.collateral, on),
        coverage: {
          eligibleCollateral: formatYuan(c.eligibleCollateralFen),
          exposure: formatYuan(c.exposureFen),
          coveragePercent: c.ppm === null ? null : formatPpmAsPercent(c.ppm),
          shortfall: formatYuan(c.shortfallFen),
          covered: c.covered,
        },
      };
    });
    res.status(201).json(view);
  });

  router.get('/margin-calls', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(MarginCallQuery, req.query);
    const actor = actorOf(res);
    const cursor = keysetCursor(q.cursor, ['date', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [raisedOn, id] = cursor ?? [];
    const rows = await listMarginCalls(db, {
      institutionId: actor.role === 'operator' ? null : actor.institutionId,
      status: q.status,
      after: typeof raisedOn === 'string' && typeof id === 'string' ? { raisedOn, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(({ call, institutionCode }) => ({
        id: call.id,
        institution: institutionCode,
        applicationId: call.applicationId,
        raisedOn: call.raisedOn,
        eligibleCollateral: formatYuan(call.eligibleCollateralFen),
        exposure: formatYuan(call.exposureFen),
        shortfall: formatYuan(call.shortfallFen),
        status: call.status,
        clearedOn: call.clearedOn,
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.call.raisedOn, last.call.id]) : null,
    });
  });

  return router;
}
