/**
 * Applications for support (先贷后借): a bank lists disbursed, eligible loans within an open operation
 * and pledges collateral; an operator approves (fully or partly) or rejects with a reason; another
 * operator books the disbursement (maker–checker).
 */
import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent, formatYuan, parseYuan } from '../../domain/money.js';
import { eligibleValueFen } from '../../domain/refinancing/collateral.js';
import { policyOn, type CollateralType } from '../../domain/policy/index.js';
import type { Tx } from '../../db/client.js';
import {
  addCollateral,
  applicationLoansOf,
  approveApplication,
  collateralOf,
  disburseApplication,
  eligibleCollateralFen,
  findApplication,
  listApplications,
  rejectApplication,
  submitApplication,
  type ApplicationRow,
  type CollateralInput,
  type CollateralRow,
  type LoanSelection,
} from '../../db/repositories/refinancing.js';
import { facilities, institutions, operations, users } from '../../db/schema/index.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { keysetCursor } from '../../schemas/refinancing.js';
import { AddCollateralBody, ApplicationDetail, ApplicationListQuery, ApplicationView, ApproveBody, CollateralView, CreateApplicationBody, FacilityView, RejectBody } from '../../schemas/refinancing.js';
import { actorOf, requireRole } from '../auth.js';
import type { Actor, AppDeps } from '../context.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';
import { invalidCursor, presentFacility } from './facilities.js';

async function userName(db: Tx, id: string | null) {
  if (!id) return null;
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
  return row?.name ?? id;
}

export async function presentApplication(db: Tx, row: ApplicationRow, known?: { institutionCode: string; quarter: string }): Promise<z.infer<typeof ApplicationView>> {
  let names = known;
  if (!names) {
    const [i] = await db.select({ code: institutions.code }).from(institutions).where(eq(institutions.id, row.institutionId));
    const [o] = await db.select({ quarter: operations.quarter }).from(operations).where(eq(operations.id, row.operationId));
    names = { institutionCode: i.code, quarter: o.quarter };
  }
  return {
    id: row.id,
    institution: names.institutionCode,
    operation: names.quarter,
    appliedOn: row.appliedOn,
    status: row.status,
    policyVersion: row.policyVersion,
    requested: formatYuan(row.requestedFen),
    approved: row.approvedFen === null ? null : formatYuan(row.approvedFen),
    decisionReason: row.decisionReason,
    decidedBy: await userName(db, row.decidedBy),
    disbursedBy: await userName(db, row.disbursedBy),
  };
}

export function presentCollateral(row: CollateralRow, on: string): z.infer<typeof CollateralView> {
  const policy = policyOn(on) ?? policyOn(row.valuedOn)!;
  const type = row.instrumentType as CollateralType;
  return {
    id: row.id,
    applicationId: row.applicationId,
    type,
    ref: row.instrumentRef,
    faceValue: formatYuan(row.faceFen),
    marketValue: formatYuan(row.marketFen),
    haircutPercent: formatPpmAsPercent(policy.collateralHaircutPpm[type]),
    eligibleValue: formatYuan(eligibleValueFen(row.marketFen, type, policy)),
    valuedOn: row.valuedOn,
    status: row.status,
  };
}

async function presentDetail(db: Tx, row: ApplicationRow, on: string): Promise<z.infer<typeof ApplicationDetail>> {
  const loans = await applicationLoansOf(db, row.id);
  const items = await collateralOf(db, row.id);
  const policy = policyOn(on)!;
  const eligibleFen = eligibleCollateralFen(items, policy);
  const tranches = await db.select({ id: facilities.id }).from(facilities).where(eq(facilities.applicationId, row.id));
  return {
    ...(await presentApplication(db, row)),
    loans: loans.map((l) => ({ loanId: l.loanId, loanRef: l.loanRef, disbursedOn: l.disbursedOn, eligiblePrincipal: formatYuan(l.principalFen), requestedSupport: formatYuan(l.requestedSupportFen), outstanding: formatYuan(l.outstandingFen) })),
    collateral: items.map((c) => presentCollateral(c, on)),
    eligibleCollateral: formatYuan(eligibleFen),
    collateralCoversApproval: eligibleFen >= (row.approvedFen ?? row.requestedFen),
    facilities: tranches.map((t) => t.id),
  };
}

const collateralInputs = (items: z.infer<typeof AddCollateralBody>['collateral']): CollateralInput[] =>
  items.map((c) => ({ type: c.type, ref: c.ref, faceFen: parseYuan(c.faceValue)!, marketFen: parseYuan(c.marketValue)! }));

const scopeOf = (actor: Actor) => ({ userId: actor.userId, institutionId: actor.role === 'operator' ? null : actor.institutionId });

describe({ method: 'post', path: '/api/v1/applications', tag: 'refinancing', roles: ['bank'], summary: 'Apply for support over listed loans (or all eligible ones up to a date) within an open operation, pledging collateral', body: CreateApplicationBody, responses: { 201: ApplicationDetail }, idempotent: true });
describe({ method: 'get', path: '/api/v1/applications', tag: 'refinancing', roles: ['bank', 'operator'], summary: "Applications (a bank's own), oldest first; ?status=submitted lists those awaiting decision", query: ApplicationListQuery, responses: { 200: pageOf(ApplicationView) } });
describe({ method: 'get', path: '/api/v1/applications/:id', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'One application with its loans, collateral and tranches', responses: { 200: ApplicationDetail } });
describe({ method: 'post', path: '/api/v1/applications/:id/collateral', tag: 'refinancing', roles: ['bank'], summary: 'Pledge more collateral to an application', body: AddCollateralBody, responses: { 201: ApplicationDetail }, idempotent: true });
describe({ method: 'post', path: '/api/v1/applications/:id/approve', tag: 'refinancing', roles: ['operator'], summary: 'Approve fully, or partly with an amount, within the operation’s remaining volume', body: ApproveBody, responses: { 200: ApplicationView }, idempotent: true });
describe({ method: 'post', path: '/api/v1/applications/:id/reject', tag: 'refinancing', roles: ['operator'], summary: 'Reject with a reason (its loans may be listed again)', body: RejectBody, responses: { 200: ApplicationView }, idempotent: true });
describe({ method: 'post', path: '/api/v1/applications/:id/disburse', tag: 'refinancing', roles: ['operator'], summary: 'Book the disbursement of an approved application: another operator than the approver; collateral must cover it', responses: { 201: FacilityView }, idempotent: true });

export function applicationRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const today = () => shanghaiDate(now());

  router.post('/applications', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(CreateApplicationBody, req.body);
    const actor = actorOf(res);
    const selection: LoanSelection = body.loanIds ? { loanIds: body.loanIds } : body.loanRefs ? { loanRefs: body.loanRefs } : { allDisbursedThrough: body.allDisbursedThrough! };
    const on = today();
    const view = await db.transaction(async (tx) => {
      const row = await submitApplication(tx, { institutionId: actor.institutionId, userId: actor.userId, quarter: body.operation, on, selection, collateral: collateralInputs(body.collateral) });
      return presentDetail(tx, row, on);
    });
    res.status(201).json(view);
  });

  router.get('/applications', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(ApplicationListQuery, req.query);
    const actor = actorOf(res);
    const cursor = keysetCursor(q.cursor, ['timestamp', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [createdAt, id] = cursor ?? [];
    let operationId: string | undefined;
    if (q.operation) {
      const [o] = await db.select({ id: operations.id }).from(operations).where(eq(operations.quarter, q.operation));
      if (!o) return void res.json({ items: [], nextCursor: null });
      operationId = o.id;
    }
    const rows = await listApplications(db, {
      institutionId: scopeOf(actor).institutionId,
      status: q.status,
      operationId,
      after: typeof createdAt === 'string' && typeof id === 'string' ? { createdAt, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: await Promise.all(page.map((r) => presentApplication(db, r.application, { institutionCode: r.institutionCode, quarter: r.quarter }))),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAtUtc, last.application.id]) : null,
    });
  });

  router.get('/applications/:id', requireRole('bank', 'operator'), async (req, res) => {
    const row = await findApplication(db, String(req.params.id), scopeOf(actorOf(res)));
    res.json(await presentDetail(db, row, today()));
  });

  router.post('/applications/:id/collateral', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(AddCollateralBody, req.body);
    const actor = actorOf(res);
    const on = today();
    const view = await db.transaction(async (tx) => {
      const application = await findApplication(tx, String(req.params.id), scopeOf(actor), true);
      await addCollateral(tx, { application, items: collateralInputs(body.collateral), on, userId: actor.userId });
      return presentDetail(tx, application, on);
    });
    res.status(201).json(view);
  });

  router.post('/applications/:id/approve', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(ApproveBody, req.body);
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) =>
      presentApplication(tx, await approveApplication(tx, { id: String(req.params.id), amountFen: body.amount === undefined ? undefined : parseYuan(body.amount)!, reason: body.reason, userId: actor.userId })),
    );
    res.json(view);
  });

  router.post('/applications/:id/reject', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RejectBody, req.body);
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) => presentApplication(tx, await rejectApplication(tx, { id: String(req.params.id), reason: body.reason, userId: actor.userId })));
    res.json(view);
  });

  router.post('/applications/:id/disburse', requireRole('operator'), async (req, res) => {
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) => presentFacility(tx, await disburseApplication(tx, { id: String(req.params.id), userId: actor.userId, on: today() })));
    res.status(201).json(view);
  });

  return router;
}
