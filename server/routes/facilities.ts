/**
 * Support tranches: listing (e.g. maturing or overdue), a bank's statement of interest, rollover (展期)
 * and repayment, and the operator's runs of the daily interest accrual and maturity scan for a date
 * (the same functions the background jobs call).
 */
import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { addDays, shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent, formatYuan, parseYuan } from '../../domain/money.js';
import { policyOn } from '../../domain/policy/index.js';
import type { Tx } from '../../db/client.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { accrueInterest, findFacility, listFacilities, repayFacility, rolloverFacility, scanMaturities, statementOf, type FacilityRow } from '../../db/repositories/refinancing.js';
import { institutions } from '../../db/schema/index.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { keysetCursor } from '../../schemas/refinancing.js';
import { AccrueBody, FacilityListQuery, FacilityView, RepayBody, RepaymentResult, RolloverResult, RunOnBody, StatementQuery, StatementView } from '../../schemas/refinancing.js';
import { actorOf, requireRole } from '../auth.js';
import type { Actor, AppDeps } from '../context.js';
import { notFound, refused, validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { parseOrThrow } from '../validate.js';

export async function presentFacility(db: Tx, f: FacilityRow, institutionCode?: string): Promise<z.infer<typeof FacilityView>> {
  let code = institutionCode;
  if (!code) [{ code }] = await db.select({ code: institutions.code }).from(institutions).where(eq(institutions.id, f.institutionId));
  return {
    id: f.id,
    institution: code!,
    applicationId: f.applicationId,
    rolledFromId: f.rolledFromId,
    principal: formatYuan(f.principalFen),
    outstanding: formatYuan(f.outstandingFen),
    ratePercent: formatPpmAsPercent(f.ratePpm),
    dayCount: f.dayCount,
    startOn: f.startOn,
    maturesOn: f.maturesOn,
    rolloverCount: f.rolloverCount,
    status: f.status,
    policyVersion: f.policyVersion,
    accruedThrough: f.accruedThrough,
    interestAccrued: formatYuan(f.interestAccruedFen),
    interestPaid: formatYuan(f.interestPaidFen),
    closedOn: f.closedOn,
  };
}

/** A list cursor this API did not write (or one tampered with): named, never a 500. */
export const invalidCursor = () => validationFailed([{ path: 'cursor', code: 'invalid_cursor', message: 'the cursor is not one this list returned; start again without it' }]);

const scopeOf = (actor: Actor) => ({ userId: actor.userId, institutionId: actor.role === 'operator' ? null : actor.institutionId });

const AccrualResult = z.object({ through: z.string(), tranches: z.number().int(), total: z.string(), entries: z.number().int() });
const ScanResult = z.object({ on: z.string(), matured: z.number().int(), overdue: z.number().int() });

describe({ method: 'get', path: '/api/v1/facilities', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'Support tranches by maturity; ?status=overdue, ?maturesOnOrBefore= for those due', query: FacilityListQuery, responses: { 200: pageOf(FacilityView) } });
describe({ method: 'get', path: '/api/v1/facilities/statement', tag: 'refinancing', roles: ['bank', 'operator'], summary: "A bank's statement of interest: outstanding principal, interest due to the date, upcoming maturities", query: StatementQuery, responses: { 200: StatementView } });
describe({ method: 'get', path: '/api/v1/facilities/:id', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'One tranche', responses: { 200: FacilityView } });
describe({ method: 'post', path: '/api/v1/facilities/:id/rollover', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'Roll a tranche over on its maturity date (at most twice); principal above 60 % of the underlying loans’ outstanding is repaid with the interest', responses: { 201: RolloverResult }, idempotent: true });
describe({ method: 'post', path: '/api/v1/facilities/:id/repay', tag: 'refinancing', roles: ['bank', 'operator'], summary: 'Repay principal (early allowed) with all interest due', body: RepayBody, responses: { 200: RepaymentResult }, idempotent: true });
describe({ method: 'post', path: '/api/v1/facilities/accrue', tag: 'refinancing', roles: ['operator'], summary: 'Run the daily interest accrual through a date (default today); idempotent per tranche and day', body: AccrueBody, responses: { 200: AccrualResult }, idempotent: true });
describe({ method: 'post', path: '/api/v1/facilities/scan-maturities', tag: 'refinancing', roles: ['operator'], summary: 'Run the maturity scan for a date: matured on the maturity date, overdue after it', body: RunOnBody, responses: { 200: ScanResult }, idempotent: true });

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
    let institutionId = scopeOf(actor).institutionId;
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
      status: q.status,
      maturesOnOrBefore: q.maturesOnOrBefore,
      after: typeof maturesOn === 'string' && typeof id === 'string' ? { maturesOn, id } : undefined,
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: await Promise.all(page.map((r) => presentFacility(db, r.facility, r.institutionCode))),
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
      if (!q.institution) throw validationFailed([{ path: 'institution', code: 'required', message: 'an operator names the bank: ?institution=CODE' }]);
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw notFound(`institution ${q.institution}`);
      code = inst.code;
      institutionId = inst.id;
    }
    const policy = policyOn(on);
    if (!policy) throw refused('no_policy_in_force', `no facility policy is in force on ${on}`);
    const s = await statementOf(db, { institutionId, on, horizonDays: q.horizonDays });
    const horizonEnd = addDays(on, q.horizonDays);
    res.json({
      institution: code,
      on,
      dayCountNote: 'interest per tranche uses its recorded day count (dayCount), rounded half up once over each interest segment',
      outstandingPrincipal: formatYuan(s.outstandingFen),
      accruedInterest: formatYuan(s.interestDueFen),
      tranches: await Promise.all(s.tranches.map(async (t) => ({ ...(await presentFacility(db, t.facility, code)), interestDue: formatYuan(t.interestDueFen) }))),
      upcomingMaturities: s.tranches
        .filter((t) => t.facility.maturesOn >= on && t.facility.maturesOn <= horizonEnd)
        .map((t) => ({ facilityId: t.facility.id, maturesOn: t.facility.maturesOn, outstanding: formatYuan(t.facility.outstandingFen), rolloverCount: t.facility.rolloverCount, rolloversLeft: Math.max(0, policy.rolloverCountMax - t.facility.rolloverCount) })),
    });
  });

  router.get('/facilities/:id', requireRole('bank', 'operator'), async (req, res) => {
    const f = await findFacility(db, String(req.params.id), scopeOf(actorOf(res)));
    res.json(await presentFacility(db, f));
  });

  router.post('/facilities/:id/rollover', requireRole('bank', 'operator'), async (req, res) => {
    parseOrThrow(z.object({}).strict(), req.body ?? {});
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) => {
      const r = await rolloverFacility(tx, { id: String(req.params.id), scope: scopeOf(actor), on: today() });
      const previous = await findFacility(tx, r.previous.id, { institutionId: null });
      return {
        previous: await presentFacility(tx, previous),
        facility: await presentFacility(tx, r.facility),
        cap: formatYuan(r.capFen),
        excessRepaid: formatYuan(r.excessRepaidFen),
        interestPaid: formatYuan(r.interestPaidFen),
      };
    });
    res.status(201).json(view);
  });

  router.post('/facilities/:id/repay', requireRole('bank', 'operator'), async (req, res) => {
    const body = parseOrThrow(RepayBody, req.body);
    const actor = actorOf(res);
    const view = await db.transaction(async (tx) => {
      const r = await repayFacility(tx, { id: String(req.params.id), scope: scopeOf(actor), principalFen: parseYuan(body.principal)!, on: today() });
      return { facility: await presentFacility(tx, r.facility), paidPrincipal: formatYuan(r.paidPrincipalFen), paidInterest: formatYuan(r.paidInterestFen) };
    });
    res.json(view);
  });

  router.post('/facilities/accrue', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(AccrueBody, req.body ?? {});
    const through = notAfterToday(body.through, 'through');
    const actor = actorOf(res);
    const r = await db.transaction((tx) => accrueInterest(tx, { through, userId: actor.userId }));
    res.json({ through: r.through, tranches: r.tranches, total: formatYuan(r.totalFen), entries: r.entries });
  });

  router.post('/facilities/scan-maturities', requireRole('operator'), async (req, res) => {
    const body = parseOrThrow(RunOnBody, req.body ?? {});
    const on = notAfterToday(body.on, 'on');
    res.json(await db.transaction((tx) => scanMaturities(tx, { on })));
  });

  return router;
}
