/**
 * Applications for support (先贷后借): a bank lists disbursed, eligible loans within an open operation
 * and pledges collateral; an operator approves (fully or partly) or rejects with a reason; another
 * operator books the disbursement (maker–checker).
 */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { parseYuan } from '../../domain/money.js';
import { perform } from '../../app/perform.js';
import { pledgeCollateral, submitApplication, type CollateralInput, type LoanSelection } from '../../app/refinancing/applications.js';
import { visibleTo } from '../../app/refinancing/common.js';
import { approveApplication, rejectApplication } from '../../app/refinancing/decisions.js';
import { disburseApplication } from '../../app/refinancing/tranches.js';
import { applicationDetail } from '../../db/read-models/application-detail.js';
import { applicationListings, findApplication, listApplications } from '../../db/repositories/refinancing/applications.js';
import { facilityListings } from '../../db/repositories/refinancing/tranches.js';
import { BookingHistory, DatedBody, encodeCursor, pageOf } from '../../schemas/common.js';
import { historyOf } from '../../app/bookings.js';
import { presentHistory } from '../presenters/bookings.js';
import {
  AddCollateralBody,
  ApplicationApproval,
  ApplicationDetail,
  ApplicationListQuery,
  ApplicationView,
  ApproveBody,
  CreateApplicationBody,
  FacilityView,
  keysetCursor,
  RejectBody,
} from '../../schemas/refinancing.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentApplication, presentApplicationDetail, presentApproval, presentFacility } from '../presenters/refinancing.js';
import { parseOrThrow } from '../validate.js';
import { invalidCursor } from './facilities.js';

const collateralInputs = (items: z.infer<typeof AddCollateralBody>['collateral']): CollateralInput[] =>
  items.map((c) => ({ type: c.type, ref: c.ref, faceFen: parseYuan(c.faceValue)!, marketFen: parseYuan(c.marketValue)! }));

describe({
  method: 'get',
  path: '/api/v1/applications/:id/history',
  operationId: 'getApplicationHistory',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'Every booking of the application: its effective date, when and by whom it was booked, and why (back-dated ones marked)',
  responses: { 200: BookingHistory },
});
describe({
  method: 'post',
  path: '/api/v1/applications',
  operationId: 'submitApplication',
  errors: [
    'operation_not_found',
    'operation_not_open',
    'facility_not_launched',
    'facility_ended',
    'institution_not_eligible',
    'institution_category_not_eligible',
    'no_loans',
    'application_rejected',
  ],
  tag: 'refinancing',
  roles: ['bank'],
  summary: 'Apply for support over listed loans (or all eligible ones up to a date) within an open operation, pledging collateral',
  body: CreateApplicationBody,
  responses: { 201: ApplicationDetail },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/applications',
  operationId: 'listApplications',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: "Applications (a bank's own), oldest first; ?status=submitted lists those awaiting decision",
  query: ApplicationListQuery,
  responses: { 200: pageOf(ApplicationView) },
});
describe({
  method: 'get',
  path: '/api/v1/applications/:id',
  operationId: 'getApplication',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'One application with its loans, collateral and tranches',
  responses: { 200: ApplicationDetail },
});
describe({
  method: 'post',
  path: '/api/v1/applications/:id/collateral',
  operationId: 'pledgeCollateral',
  errors: ['application_rejected'],
  tag: 'refinancing',
  roles: ['bank'],
  summary: 'Pledge more collateral to an application',
  body: AddCollateralBody,
  responses: { 201: ApplicationDetail },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/applications/:id/approve',
  operationId: 'approveApplication',
  errors: ['application_not_submitted', 'operation_volume_exceeded', 'approval_covers_no_loan'],
  tag: 'refinancing',
  roles: ['operator'],
  summary:
    'Approve fully, or partly with an amount, within the operation’s remaining volume; the answer lists the loans covered and those left out, with a warning when it covers less than asked',
  body: ApproveBody,
  responses: { 200: ApplicationApproval },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/applications/:id/reject',
  operationId: 'rejectApplication',
  errors: ['application_not_submitted'],
  tag: 'refinancing',
  roles: ['operator'],
  summary: 'Reject with a reason (its loans may be listed again)',
  body: RejectBody,
  responses: { 200: ApplicationView },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/applications/:id/disburse',
  operationId: 'disburseApplication',
  errors: ['application_not_approved', 'maker_checker_violation', 'collateral_insufficient'],
  tag: 'refinancing',
  roles: ['operator'],
  summary: 'Book the disbursement of an approved application: another operator than the approver; collateral must cover it',
  responses: { 201: FacilityView },
  idempotent: true,
});

export function applicationRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  router.post('/applications', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(CreateApplicationBody, req.body);
    const selection: LoanSelection = body.loanIds
      ? { loanIds: body.loanIds }
      : body.loanRefs
        ? { loanRefs: body.loanRefs }
        : { allDisbursedThrough: body.allDisbursedThrough! };
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const row = await submitApplication(ctx, {
        quarter: body.operation,
        selection,
        collateral: collateralInputs(body.collateral),
        on: body.on,
        reason: body.reason,
      });
      return presentApplicationDetail(await applicationDetail(ctx.tx, row.id), shanghaiDate(ctx.now));
    });
    res.status(201).json(answer);
  });

  router.get('/applications', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(ApplicationListQuery, req.query);
    const actor = actorOf(res);
    const cursor = keysetCursor(q.cursor, ['timestamp', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [createdAt, id] = cursor ?? [];
    const rows = await listApplications(db, {
      institutionId: visibleTo(actor).institutionId,
      status: q.status,
      quarter: q.operation,
      after: typeof createdAt === 'string' && typeof id === 'string' ? { createdAt, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(presentApplication),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.createdAtUtc, last.application.id]) : null,
    });
  });

  router.get('/applications/:id/history', requireRole('bank', 'operator'), async (req, res) => {
    const id = String(req.params.id);
    const row = await findApplication(db, id, visibleTo(actorOf(res)));
    if (!row) throw notFound(`application ${id}`);
    res.json(presentHistory(await historyOf({ tx: db }, { kind: 'application', id: row.id })));
  });

  router.get('/applications/:id', requireRole('bank', 'operator'), async (req, res) => {
    const id = String(req.params.id);
    const row = await findApplication(db, id, visibleTo(actorOf(res)));
    if (!row) throw notFound(`application ${id}`);
    res.json(presentApplicationDetail(await applicationDetail(db, row.id), shanghaiDate(now())));
  });

  router.post('/applications/:id/collateral', requireRole('bank'), async (req, res) => {
    const body = parseOrThrow(AddCollateralBody, req.body);
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const { application } = await pledgeCollateral(ctx, {
        applicationId: String(req.params.id),
        items: collateralInputs(body.collateral),
        on: body.on,
        reason: body.reason,
      });
      return presentApplicationDetail(await applicationDetail(ctx.tx, application.id), shanghaiDate(ctx.now));
    });
    res.status(201).json(answer);
  });

  router.post('/applications/:id/approve', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(ApproveBody, req.body);
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const approval = await approveApplication(ctx, {
        applicationId: String(req.params.id),
        amountFen: body.amount === undefined ? undefined : parseYuan(body.amount)!,
        reason: body.reason,
        on: body.on,
      });
      return presentApproval({ ...approval, listing: (await applicationListings(ctx.tx, [approval.application.id]))[0] });
    });
    res.json(answer);
  });

  router.post('/applications/:id/reject', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RejectBody, req.body);
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const row = await rejectApplication(ctx, { applicationId: String(req.params.id), reason: body.reason, on: body.on });
      return presentApplication((await applicationListings(ctx.tx, [row.id]))[0]);
    });
    res.json(answer);
  });

  router.post('/applications/:id/disburse', requireRole('operator'), async (req, res) => {
    const dated = parseOrThrow(DatedBody, req.body ?? {});
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const facility = await disburseApplication(ctx, { applicationId: String(req.params.id), ...dated });
      const [listing] = await facilityListings(ctx.tx, [facility.id], shanghaiDate(ctx.now));
      return presentFacility(listing.facility, listing.institutionCode);
    });
    res.status(201).json(answer);
  });

  return router;
}
