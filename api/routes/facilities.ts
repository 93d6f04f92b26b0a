/**
 * Support tranches: listing (e.g. maturing or overdue), a bank's statement of interest, rollover (展期)
 * and repayment, and the operator's runs of the daily interest accrual and maturity scan for a date
 * (the same functions the background jobs call).
 */
import { Router } from 'express';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { policyOn } from '../../domain/policy/index.js';
import { perform } from '../../app/perform.js';
import { visibleTo } from '../../app/refinancing/common.js';
import { accrueInterest, scanMaturities } from '../../app/refinancing/scans.js';
import { repayTranche, rollOverTranche, statementOf } from '../../app/refinancing/tranches.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { facilityListings, findFacility, listFacilities } from '../../db/repositories/refinancing/tranches.js';
import { BookingHistory, DatedBody, encodeCursor, pageOf } from '../../schemas/common.js';
import { historyOf } from '../../app/bookings.js';
import { presentHistory } from '../presenters/bookings.js';
import {
  AccrueBody,
  FacilityListQuery,
  FacilityView,
  keysetCursor,
  RepayBody,
  RepaymentResult,
  RolloverResult,
  RunOnBody,
  StatementQuery,
  StatementView,
} from '../../schemas/refinancing.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound, refused, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { presentFacility, presentStatement } from '../presenters/refinancing.js';
import { parseOrThrow } from '../validate.js';

/** A list cursor this API did not write (or one tampered with): named, never a 500. */
export const invalidCursor = () =>
  refused('invalid_cursor', 'the cursor is not one this list returned; start again without it', { path: 'cursor' });

const AccrualResult = z.object({ through: z.string(), tranches: z.number().int(), total: z.string(), entries: z.number().int() });
const ScanResult = z.object({
  on: z.string(),
  matured: z.number().int(),
  overdue: z.number().int(),
  poolShortfallsRaised: z.number().int(),
  poolShortfallsGrown: z.number().int(),
});

describe({
  method: 'get',
  path: '/api/v1/facilities/:id/history',
  operationId: 'getTrancheHistory',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'Every booking of the facility: its effective date, when and by whom it was booked, and why (back-dated ones marked)',
  responses: { 200: BookingHistory },
});
describe({
  method: 'get',
  path: '/api/v1/facilities',
  operationId: 'listTranches',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'Support tranches by maturity; ?status=overdue, ?maturesOnOrBefore= for those due',
  query: FacilityListQuery,
  responses: { 200: pageOf(FacilityView) },
});
describe({
  method: 'get',
  path: '/api/v1/facilities/statement',
  operationId: 'getInterestStatement',
  errors: ['no_policy_in_force', 'not_found'],
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: "A bank's statement of interest: outstanding principal, interest due to the date, upcoming maturities",
  query: StatementQuery,
  responses: { 200: StatementView },
});
describe({
  method: 'get',
  path: '/api/v1/facilities/:id',
  operationId: 'getTranche',
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'One tranche',
  responses: { 200: FacilityView },
});
describe({
  method: 'post',
  path: '/api/v1/facilities/:id/rollover',
  operationId: 'rollOverTranche',
  errors: [
    'facility_not_live',
    'rollovers_exhausted',
    'rollover_not_due',
    'facility_overdue',
    'nothing_to_roll_over',
    'interest_booked_ahead',
  ],
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary:
    'Roll a tranche over on its maturity date (at most twice); principal above 60 % of the underlying loans’ outstanding is repaid with the interest',
  responses: { 201: RolloverResult },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/facilities/:id/repay',
  operationId: 'repayTranche',
  errors: ['facility_not_live', 'nothing_to_repay', 'repayment_exceeds_outstanding', 'interest_booked_ahead'],
  tag: 'refinancing',
  roles: ['bank', 'operator'],
  summary: 'Repay principal (early allowed) with all interest due',
  body: RepayBody,
  responses: { 200: RepaymentResult },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/facilities/accrue',
  operationId: 'accrueInterest',
  tag: 'refinancing',
  roles: ['operator'],
  summary: 'Run the daily interest accrual through a date (default today); idempotent per tranche and day',
  body: AccrueBody,
  responses: { 200: AccrualResult },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/facilities/scan-maturities',
  operationId: 'scanMaturities',
  tag: 'refinancing',
  roles: ['operator'],
  summary:
    'Run the maturity scan for a date: matured on the maturity date, overdue after it; pool shortfalls raised for loans matured on or before it',
  body: RunOnBody,
  responses: { 200: ScanResult },
  idempotent: true,
});

export function facilityRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();
  const today = () => shanghaiDate(now());
  const notAfterToday = (date: string | undefined, field: string) => {
    const t = today();
    if (date && date > t) throw validationFailed([{ path: field, code: 'date_in_future', message: `${date} is after today (${t})` }]);
    return date ?? t;
  };

  router.get('/facilities', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(FacilityListQuery, req.query);
    const actor = actorOf(res);
    let institutionId = visibleTo(actor).institutionId;
    if (!institutionId && q.institution) {
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) return void res.json({ items: [], nextCursor: null });
      institutionId = inst.id;
    }
    const cursor = keysetCursor(q.cursor, ['date', 'uuid']);
    if (cursor === null) throw invalidCursor();
    const [maturesOn, id] = cursor ?? [];
    const rows = await listFacilities(db, {
      institutionId,
      on: today(),
      status: q.status,
      maturesOnOrBefore: q.maturesOnOrBefore,
      after: typeof maturesOn === 'string' && typeof id === 'string' ? { maturesOn, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map((r) => presentFacility(r.facility, r.institutionCode)),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.facility.maturesOn, last.facility.id]) : null,
    });
  });

  router.get('/facilities/statement', requireRole('bank', 'operator'), async (req, res) => {
    const q = parseOrThrow(StatementQuery, req.query);
    const actor = actorOf(res);
    const on = q.on ?? today();
    let code = actor.institutionCode;
    let institutionId = actor.institutionId;
    if (actor.role === 'operator') {
      if (!q.institution)
        throw validationFailed([{ path: 'institution', code: 'required', message: 'an operator names the bank: ?institution=CODE' }]);
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw notFound(`institution ${q.institution}`);
      code = inst.code;
      institutionId = inst.id;
    }
    const policy = policyOn(on);
    if (!policy) throw refused('no_policy_in_force', `no facility policy is in force on ${on}`);
    const statement = await statementOf(db, { institutionId, on });
    res.json(presentStatement(statement, { institutionCode: code, on, horizonDays: q.horizonDays, policy }));
  });

  router.get('/facilities/:id/history', requireRole('bank', 'operator'), async (req, res) => {
    const id = String(req.params.id);
    const row = await findFacility(db, id, visibleTo(actorOf(res)));
    if (!row) throw notFound(`facility ${id}`);
    res.json(presentHistory(await historyOf({ tx: db }, { kind: 'facility', id: row.id })));
  });

  router.get('/facilities/:id', requireRole('bank', 'operator'), async (req, res) => {
    const id = String(req.params.id);
    const f = await findFacility(db, id, visibleTo(actorOf(res)));
    if (!f) throw notFound(`facility ${id}`);
    const [listing] = await facilityListings(db, [f.id], today());
    res.json(presentFacility(listing.facility, listing.institutionCode));
  });

  router.post('/facilities/:id/rollover', requireRole('bank', 'operator'), async (req, res) => {
    const dated = parseOrThrow(DatedBody, req.body ?? {});
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const r = await rollOverTranche(ctx, { facilityId: String(req.params.id), ...dated });
      const [previous, next] = await facilityListings(ctx.tx, [r.previous.id, r.facility.id], shanghaiDate(ctx.now));
      return {
        previous: presentFacility(previous.facility, previous.institutionCode),
        facility: presentFacility(next.facility, next.institutionCode),
        cap: formatYuan(r.capFen),
        excessRepaid: formatYuan(r.excessRepaidFen),
        interestPaid: formatYuan(r.interestPaidFen),
      };
    });
    res.status(201).json(answer);
  });

  router.post('/facilities/:id/repay', requireRole('bank', 'operator'), async (req, res) => {
    const body = parseOrThrow(RepayBody, req.body);
    const answer = await perform(db, actingOf({ now }, res), async (ctx) => {
      const r = await repayTranche(ctx, {
        facilityId: String(req.params.id),
        principalFen: parseYuan(body.principal)!,
        on: body.on,
        reason: body.reason,
      });
      const [listing] = await facilityListings(ctx.tx, [r.facility.id], shanghaiDate(ctx.now));
      return {
        facility: presentFacility(listing.facility, listing.institutionCode),
        paidPrincipal: formatYuan(r.paidPrincipalFen),
        paidInterest: formatYuan(r.paidInterestFen),
      };
    });
    res.json(answer);
  });

  router.post('/facilities/accrue', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(AccrueBody, req.body ?? {});
    const through = notAfterToday(body.through, 'through');
    const actor = actorOf(res);
    const r = await perform(db, { now: now(), actor }, ({ tx }) => accrueInterest(tx, { through, actor }));
    res.json({ through: r.through, tranches: r.tranches, total: formatYuan(r.totalFen), entries: r.entries });
  });

  router.post('/facilities/scan-maturities', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RunOnBody, req.body ?? {});
    const on = notAfterToday(body.on, 'on');
    res.json(await perform(db, actingOf({ now }, res), ({ tx }) => scanMaturities(tx, { on })));
  });

  return router;
}
