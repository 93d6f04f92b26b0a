/** Quarterly operations (按季操作): opened by an operator with a volume, capped per year by the policy. */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import type { Tx } from '../../db/client.js';
import { allocateOperation, closeOperation, createOperation, findOperation, listOperations, operationUsage, type OperationRow } from '../../db/repositories/refinancing.js';
import { isQuarter } from '../../domain/dates.js';
import { decodeCursor, encodeCursor, pageOf, PageQuery } from '../../schemas/common.js';
import { CreateOperationBody, OperationView } from '../../schemas/refinancing.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';
import { presentApplication } from './applications.js';
import { ApplicationView } from '../../schemas/refinancing.js';

export async function presentOperation(db: Tx, row: OperationRow): Promise<z.infer<typeof OperationView>> {
  const usage = await operationUsage(db, row.id);
  return {
    id: row.id,
    quarter: row.quarter,
    opensOn: row.opensOn,
    closesOn: row.closesOn,
    status: row.status,
    volume: formatYuan(row.volumeFen),
    approved: formatYuan(usage.approvedFen),
    disbursed: formatYuan(usage.disbursedFen),
    remaining: formatYuan(row.volumeFen - usage.approvedFen),
    awaitingDecision: { count: usage.awaitingCount, requested: formatYuan(usage.awaitingFen) },
  };
}

const AllocationView = z.object({ operation: OperationView, rule: z.string(), oversubscribed: z.boolean(), remainingBefore: z.string(), applications: z.array(ApplicationView) });

describe({ method: 'post', path: '/api/v1/operations', tag: 'refinancing', roles: ['operator'], summary: "Open a quarter's operation with its volume; refused (annual_cap_exceeded) past the policy's annual cap", body: CreateOperationBody, responses: { 201: OperationView }, idempotent: true });
describe({ method: 'get', path: '/api/v1/operations', tag: 'refinancing', roles: ['operator', 'bank'], summary: 'Operations, newest quarter first, with volume used and awaiting decision', query: PageQuery, responses: { 200: pageOf(OperationView) } });
describe({ method: 'get', path: '/api/v1/operations/:quarter', tag: 'refinancing', roles: ['operator', 'bank'], summary: 'One operation', responses: { 200: OperationView } });
describe({ method: 'post', path: '/api/v1/operations/:quarter/allocate', tag: 'refinancing', roles: ['operator'], summary: "Approve the submitted applications by the policy's allocation rule (pro rata by request when over-subscribed)", responses: { 200: AllocationView }, idempotent: true });
describe({ method: 'post', path: '/api/v1/operations/:quarter/close', tag: 'refinancing', roles: ['operator'], summary: 'Close an operation to new applications', responses: { 200: OperationView }, idempotent: true });

export function operationRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const today = () => shanghaiDate(now());
  const quarterParam = (q: string) => {
    if (!isQuarter(q)) throw notFound(`operation ${q}`);
    return q;
  };

  router.post('/operations', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CreateOperationBody, req.body);
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) => presentOperation(tx, await createOperation(tx, { quarter: body.quarter, volumeFen: parseYuan(body.volume)!, userId: actor.userId })));
    res.status(201).json(view);
  });

  router.get('/operations', requireRole('operator', 'bank'), async (req, res) => {
    const q = parseOrThrow(PageQuery, req.query);
    const [after] = decodeCursor(q.cursor) ?? [];
    const rows = await listOperations(db, { afterQuarter: typeof after === 'string' ? after : undefined, limit: q.limit });
    const page = rows.slice(0, q.limit);
    res.json({ items: await Promise.all(page.map((r) => presentOperation(db, r))), nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].quarter]) : null });
  });

  router.get('/operations/:quarter', requireRole('operator', 'bank'), async (req, res) => {
    const row = await findOperation(db, quarterParam(String(req.params.quarter)));
    if (!row) throw notFound(`operation ${req.params.quarter}`);
    res.json(await presentOperation(db, row));
  });

  router.post('/operations/:quarter/allocate', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const quarter = quarterParam(String(req.params.quarter));
    const result = await db.transaction(async (tx) => {
      const r = await allocateOperation(tx, { quarter, userId: actor.userId, on: today() });
      return {
        operation: await presentOperation(tx, r.operation),
        rule: r.rule,
        oversubscribed: r.oversubscribed,
        remainingBefore: formatYuan(r.remainingFen),
        applications: await Promise.all(r.applications.map((a) => presentApplication(tx, a))),
      };
    });
    res.json(result);
  });

  router.post('/operations/:quarter/close', requireRole('operator'), async (req, res) => {
    const view = await db.transaction(async (tx) => presentOperation(tx, await closeOperation(tx, quarterParam(String(req.params.quarter)))));
    res.json(view);
  });

  return router;
}
