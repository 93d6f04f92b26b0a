/**
 * Pool shortfalls (a bank's own; every bank's for operators): what a bank owes when a tranche exceeds
 * 60 % of its underlying loans' outstanding eligible principal, raised and cleared by the use cases
 * (app/refinancing/pool-shortfalls.ts). Read-only here.
 */
import { Router } from 'express';
import { shanghaiDate } from '../../domain/dates.js';
import { listPoolShortfalls } from '../../db/repositories/pool-shortfalls.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { PoolShortfallQuery, PoolShortfallView } from '../../schemas/pool-shortfalls.js';
import { keysetCursor } from '../../schemas/refinancing.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { describe } from '../openapi.js';
import { presentPoolShortfall } from '../presenters/refinancing.js';
import { parseOrThrow } from '../validate.js';
import { invalidCursor } from './facilities.js';
import { listedInstitutionId } from './listed-institution.js';

describe({
  method: 'get',
  path: '/api/v1/pool-shortfalls',
  operationId: 'listPoolShortfalls',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary:
    "Pool shortfalls (a bank's own; an operator's: all, or ?institution=CODE), by raised date; ?status=open|cleared. `overdue` marks an open one past its due date",
  errors: ['not_found'],
  query: PoolShortfallQuery,
  responses: { 200: pageOf(PoolShortfallView) },
});

export function poolShortfallRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/pool-shortfalls', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(PoolShortfallQuery, req.query);
    const cursor = keysetCursor(q.cursor, ['date', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [raisedOn, id] = cursor ?? [];
    const institutionId = await listedInstitutionId(db, actorOf(res), q.institution);
    const rows = await listPoolShortfalls(db, {
      institutionId: institutionId ?? null,
      status: q.status,
      after: typeof raisedOn === 'string' && typeof id === 'string' ? { raisedOn, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const today = shanghaiDate(now());
    res.json({
      items: page.map((r) => presentPoolShortfall(r, today)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.shortfall.raisedOn, last.shortfall.id]) : null,
    });
  });

  return router;
}
