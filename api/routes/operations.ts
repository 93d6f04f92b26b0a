/** Quarterly operations (按季操作): opened by an operator with a volume, capped per year by the policy. */
import { Router } from 'express';
import { z } from 'zod';
import { isQuarter } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { perform } from '../../app/perform.js';
import { allocateOperation } from '../../app/refinancing/decisions.js';
import { closeOperation } from '../../app/refinancing/operations.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { answerProposal } from './approvals.js';
import type { Tx } from '../../db/client.js';
import { applicationListings } from '../../db/repositories/refinancing/applications.js';
import { listOperations, operationUsage, type OperationRow } from '../../db/repositories/refinancing/operations.js';
import { DatedBody, CursorPart, encodeCursor, pageOf, PageQuery } from '../../schemas/common.js';
import { ApplicationView, CreateOperationBody, OperationView } from '../../schemas/refinancing.js';
import { ApprovalView } from '../../schemas/approvals.js';
import { actingOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentApplication, presentOperation } from '../presenters/refinancing.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';

const AllocationView = z.object({
  operation: OperationView,
  rule: z.string(),
  oversubscribed: z.boolean(),
  remainingBefore: z.string(),
  applications: z.array(
    ApplicationView.extend({
      allocated: z.string().describe("the application's share by the rule; `approved` is the support of the whole loans it covers"),
    }),
  ),
});

describe({
  method: 'post',
  path: '/api/v1/operations',
  operationId: 'openOperation',
  errors: ['operation_exists', 'facility_not_launched', 'facility_ended', 'volume_not_positive', 'annual_cap_exceeded'],
  tag: 'refinancing',
  roles: ['operator'],
  summary:
    "Propose opening a quarter's operation with its volume (four eyes: it opens when another operator confirms it at /approvals/:id/confirm); refused at once (annual_cap_exceeded, operation_exists) when it could not open",
  body: CreateOperationBody,
  responses: { 202: ApprovalView },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/operations',
  operationId: 'listOperations',
  tag: 'refinancing',
  roles: ['operator', 'bank'],
  summary: 'Operations, newest quarter first, with volume used and awaiting decision',
  query: PageQuery,
  responses: { 200: pageOf(OperationView) },
});
describe({
  method: 'get',
  path: '/api/v1/operations/:quarter',
  operationId: 'getOperation',
  tag: 'refinancing',
  roles: ['operator', 'bank'],
  summary: 'One operation',
  responses: { 200: OperationView },
});
describe({
  method: 'post',
  path: '/api/v1/operations/:quarter/allocate',
  operationId: 'allocateOperation',
  errors: ['nothing_to_allocate', 'operation_volume_exceeded'],
  tag: 'refinancing',
  roles: ['operator'],
  summary: "Approve the submitted applications by the policy's allocation rule (pro rata by request when over-subscribed)",
  responses: { 200: AllocationView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/operations/:quarter/close',
  operationId: 'closeOperation',
  tag: 'refinancing',
  roles: ['operator'],
  summary: 'Close an operation to new applications',
  responses: { 200: OperationView },
  idempotent: true,
});

export function operationRoutes(deps: AppDeps): Router {
  const { database } = deps;
  const { db } = database;
  const router = Router();
  const view = async (tx: Tx, row: OperationRow) => presentOperation(row, await operationUsage(tx, row.id));
  const quarterParam = (q: string) => {
    if (!isQuarter(q)) throw notFound(`operation ${q}`);
    return q;
  };

  router.post('/operations', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(CreateOperationBody, req.body);
    const input = { quarter: body.quarter, volumeFen: String(parseYuan(body.volume)!), on: body.on, reason: body.reason };
    const proposed = await perform(db, actingOf(deps, res), (ctx) => proposeAct(ctx, 'open_operation', input, { reason: body.reason }));
    if (proposed.performed) throw new Error('opening an operation always takes four eyes');
    await answerProposal(deps, res, proposed.approval.id);
  });

  router.get('/operations', requireRole('operator', 'bank'), async (req, res) => {
    const q = parseOrThrow(PageQuery, req.query);
    const [after] = cursorOrThrow(z.tuple([CursorPart.quarter]), q.cursor) ?? [];
    const rows = await listOperations(db, { afterQuarter: after, limit: q.limit });
    const page = rows.slice(0, q.limit);
    res.json({
      items: page.map((r) => presentOperation(r.operation, r.usage)),
      nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].operation.quarter]) : null,
    });
  });

  router.get('/operations/:quarter', requireRole('operator', 'bank'), async (req, res) => {
    const [row] = await listOperations(db, { quarter: quarterParam(String(req.params.quarter)), limit: 1 });
    if (!row) throw notFound(`operation ${req.params.quarter}`);
    res.json(presentOperation(row.operation, row.usage));
  });

  router.post('/operations/:quarter/allocate', requireRole('operator'), async (req, res) => {
    const quarter = quarterParam(String(req.params.quarter));
    const dated = parseOrThrow(DatedBody, req.body ?? {});
    const answer = await perform(db, actingOf(deps, res), async (ctx) => {
      const r = await allocateOperation(ctx, { quarter, ...dated });
      return {
        operation: await view(ctx.tx, r.operation),
        rule: r.rule,
        oversubscribed: r.oversubscribed,
        remainingBefore: formatYuan(r.remainingFen),
        applications: (
          await applicationListings(
            ctx.tx,
            r.applications.map((a) => a.id),
          )
        ).map((listing, i) => ({ ...presentApplication(listing), allocated: formatYuan(r.allocatedFen[i]) })),
      };
    });
    res.json(answer);
  });

  router.post('/operations/:quarter/close', requireRole('operator'), async (req, res) => {
    const quarter = quarterParam(String(req.params.quarter));
    const answer = await perform(db, actingOf(deps, res), async (ctx) => view(ctx.tx, await closeOperation(ctx, { quarter })));
    res.json(answer);
  });

  return router;
}
