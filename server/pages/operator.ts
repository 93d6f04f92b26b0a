/**
 * Operator pages (/operator/*): the overview of quarterly operations, decisions on applications
 * (approve / reject), the booking of disbursements by a second operator (maker–checker, enforced by the
 * repository), tranches maturing or overdue, open margin calls; and the queue dashboard (Bull Board).
 * Reads and writes go through the same repository functions as the API routes, one transaction per command.
 */
import { Router, type Response } from 'express';
import { addDays, shanghaiDate } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { applicationLoansOf, approveApplication, disburseApplication, listApplications, listFacilities, listMarginCalls, listOperations, rejectApplication } from '../../db/repositories/refinancing.js';
import { ApproveBody, RejectBody } from '../../schemas/refinancing.js';
import type { AppDeps } from '../context.js';
import { Refused } from '../../app/refusals.js';
import { refused } from '../errors.js';
import { presentApplication } from '../routes/applications.js';
import { presentOperation } from '../routes/operations.js';
import { pageActorOf } from '../web/sessions.js';
import { pageOf, type PageContext } from './context.js';
import { html, type Html } from './html.js';
import type { Dict } from './i18n.js';
import { sendPage } from './layout.js';
import { queueDashboard } from './operator-queues.js';

/** How many rows each section of the overview shows (the API lists page further). */
const SECTION_LIMIT = 200;
const MATURITY_HORIZON_DAYS = 90;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[a-z_]{1,64}$/;

/** The message for a rule's code in the page's language, or the code itself when it has no words yet. */
function ruleMessage(t: Dict, code: string): string {
  const known: Record<string, string> = {
    maker_checker_violation: t.opErrMakerChecker,
    collateral_insufficient: t.opErrCollateral,
    invalid_input: t.opErrInvalidInput,
    not_found: t.notFoundBody,
  };
  return known[code] ?? `${t.actionFailed}: ${code}`;
}

function doneMessage(t: Dict, done: string): string | null {
  const known: Record<string, string> = { approved: t.opDoneApproved, rejected: t.opDoneRejected, disbursed: t.opDoneDisbursed };
  return known[done] ?? null;
}

const table = (caption: string, head: Html[], rows: Html[], empty: string) =>
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="table-wrap"><table><caption class="visually-hidden">${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;

export function operatorPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const today = () => shanghaiDate(deps.now());

  router.use('/queues', queueDashboard(deps));

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const on = today();
    const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? req.query.error : null;
    const done = typeof req.query.done === 'string' ? doneMessage(t, req.query.done) : null;

    const operations = await Promise.all((await listOperations(db, { limit: 8 })).slice(0, 8).map((o) => presentOperation(db, o)));
    const submitted = (await listApplications(db, { institutionId: null, status: 'submitted', limit: SECTION_LIMIT })).slice(0, SECTION_LIMIT);
    const approved = (await listApplications(db, { institutionId: null, status: 'approved', limit: SECTION_LIMIT })).slice(0, SECTION_LIMIT);
    const maturing = (await listFacilities(db, { institutionId: null, status: 'active', maturesOnOrBefore: addDays(on, MATURITY_HORIZON_DAYS), limit: SECTION_LIMIT })).slice(0, SECTION_LIMIT);
    const overdue = (await listFacilities(db, { institutionId: null, status: 'overdue', limit: SECTION_LIMIT })).slice(0, SECTION_LIMIT);
    const calls = (await listMarginCalls(db, { institutionId: null, status: 'open', limit: SECTION_LIMIT })).slice(0, SECTION_LIMIT);

    const operationRows = operations.map(
      (o) => html`<tr><th scope="row">${o.quarter}</th><td>${o.status}</td><td class="num">${o.volume}</td><td class="num">${o.approved}</td><td class="num">${o.disbursed}</td><td class="num">${o.remaining}</td><td class="num">${o.awaitingDecision.count}</td></tr>`,
    );

    const submittedRows = await Promise.all(
      submitted.map(async (r) => {
        const a = await presentApplication(db, r.application, { institutionCode: r.institutionCode, quarter: r.quarter });
        const loans = (await applicationLoansOf(db, a.id)).length;
        const id = a.id;
        return html`<tr id="app-${id}"><th scope="row">${a.institution}</th><td>${a.operation}</td><td>${a.appliedOn}</td><td class="num">${a.requested}</td><td class="num">${loans}</td>
<td><form method="post" action="/operator/applications/${id}/approve" class="decision approve">${ctx.csrfField()}
  <label for="approve-reason-${id}">${t.opReason}</label><input id="approve-reason-${id}" name="reason" required maxlength="2000">
  <label for="approve-amount-${id}">${t.opPartialAmount}</label><input id="approve-amount-${id}" name="amount" inputmode="decimal" pattern="\\d{1,15}(\\.\\d{1,2})?" placeholder="${a.requested}">
  <button type="submit">${t.opApprove}</button></form>
<form method="post" action="/operator/applications/${id}/reject" class="decision reject">${ctx.csrfField()}
  <label for="reject-reason-${id}">${t.opReason}</label><input id="reject-reason-${id}" name="reason" required maxlength="2000">
  <button type="submit" class="secondary">${t.opReject}</button></form></td></tr>`;
      }),
    );

    const me = pageActorOf(res)?.userId;
    const approvedRows = await Promise.all(
      approved.map(async (r) => {
        const a = await presentApplication(db, r.application, { institutionCode: r.institutionCode, quarter: r.quarter });
        const mine = r.application.decidedBy === me;
        return html`<tr id="app-${a.id}"><th scope="row">${a.institution}</th><td>${a.operation}</td><td class="num">${a.requested}</td><td class="num">${a.approved}</td><td>${a.decidedBy}${mine ? html` <span class="badge">${t.opYou}</span>` : ''}</td><td>${a.decisionReason}</td>
<td><form method="post" action="/operator/applications/${a.id}/disburse" class="decision">${ctx.csrfField()}<button type="submit">${t.opBookDisbursement}</button></form></td></tr>`;
      }),
    );

    const facilityRow = (f: (typeof maturing)[number]) =>
      html`<tr><th scope="row">${f.institutionCode}</th><td>${f.facility.startOn}</td><td>${f.facility.maturesOn}</td><td class="num">${formatYuan(f.facility.outstandingFen)}</td><td class="num">${f.facility.rolloverCount}</td><td>${f.facility.status}</td></tr>`;
    const facilityHead = [html`${t.institution}`, html`${t.opStartOn}`, html`${t.opMaturesOn}`, html`${t.opOutstanding}`, html`${t.opRollovers}`, html`${t.opStatus}`];

    const body = html`<h1>${t.operatorHeading}</h1>
<p>${t.opToday}: ${on} · <a href="/operator/queues/">${t.opQueuesLink}</a></p>
${error ? html`<p class="error" role="alert">${ruleMessage(t, error)}</p>` : ''}
${done ? html`<p class="notice" role="status">${done}</p>` : ''}
<section aria-labelledby="h-operations"><h2 id="h-operations">${t.opOperations}</h2>
${table(t.opOperations, [html`${t.quarter}`, html`${t.opStatus}`, html`${t.opVolume}`, html`${t.opApproved}`, html`${t.opDisbursed}`, html`${t.opRemaining}`, html`${t.opAwaiting}`], operationRows, t.opNone)}</section>
<section aria-labelledby="h-submitted"><h2 id="h-submitted">${t.opAwaitingDecision}</h2>
${table(t.opAwaitingDecision, [html`${t.institution}`, html`${t.quarter}`, html`${t.opAppliedOn}`, html`${t.opRequested}`, html`${t.opLoansCount}`, html`${t.opDecision}`], submittedRows, t.opNone)}</section>
<section aria-labelledby="h-approved"><h2 id="h-approved">${t.opAwaitingDisbursement}</h2>
<p class="hint">${t.opMakerCheckerHint}</p>
${table(t.opAwaitingDisbursement, [html`${t.institution}`, html`${t.quarter}`, html`${t.opRequested}`, html`${t.opApproved}`, html`${t.opApprovedBy}`, html`${t.opReason}`, html`${t.opAction}`], approvedRows, t.opNone)}</section>
<section aria-labelledby="h-maturing"><h2 id="h-maturing">${t.opMaturing}</h2>
${table(t.opMaturing, facilityHead, maturing.map(facilityRow), t.opNone)}</section>
<section aria-labelledby="h-overdue"><h2 id="h-overdue">${t.opOverdue}</h2>
${table(t.opOverdue, facilityHead, overdue.map(facilityRow), t.opNone)}</section>
<section aria-labelledby="h-calls"><h2 id="h-calls">${t.opMarginCalls}</h2>
${table(
  t.opMarginCalls,
  [html`${t.institution}`, html`${t.opRaisedOn}`, html`${t.opEligibleCollateral}`, html`${t.opExposure}`, html`${t.opShortfall}`],
  calls.map(
    ({ call, institutionCode }) =>
      html`<tr><th scope="row">${institutionCode}</th><td>${call.raisedOn}</td><td class="num">${formatYuan(call.eligibleCollateralFen)}</td><td class="num">${formatYuan(call.exposureFen)}</td><td class="num">${formatYuan(call.shortfallFen)}</td></tr>`,
  ),
  t.opNone,
)}</section>`;
    sendPage(res, ctx, t.operatorHeading, body);
  });

  /** Runs one command; a rule it breaks (4xx AppError) comes back to the overview as a message. */
  const command = (action: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0], ctx: PageContext, body: Record<string, unknown>, id: string, userId: string) => Promise<unknown>, done: string) =>
    async (req: import('express').Request, res: Response) => {
      const ctx = pageOf(res);
      const actor = pageActorOf(res)!;
      const id = String(req.params.id);
      if (!UUID.test(id)) return res.redirect(303, '/operator?error=not_found');
      try {
        await db.transaction((tx) => action(tx, ctx, (req.body ?? {}) as Record<string, unknown>, id, actor.userId));
      } catch (err) {
        if (err instanceof Refused) return res.redirect(303, `/operator?error=${encodeURIComponent(err.refusal.status)}#h-submitted`);
        throw err;
      }
      res.redirect(303, `/operator?done=${done}`);
    };

  router.post(
    '/applications/:id/approve',
    command(async (tx, _ctx, body, id, userId) => {
      const amount = typeof body.amount === 'string' && body.amount.trim() !== '' ? body.amount.trim() : undefined;
      const parsed = ApproveBody.safeParse({ reason: String(body.reason ?? '').trim(), amount });
      if (!parsed.success) throw refused('invalid_input', 'the reason is required and the amount must be yuan with at most two decimals');
      await approveApplication(tx, { id, reason: parsed.data.reason, amountFen: parsed.data.amount === undefined ? undefined : parseYuan(parsed.data.amount)!, userId });
    }, 'approved'),
  );

  router.post(
    '/applications/:id/reject',
    command(async (tx, _ctx, body, id, userId) => {
      const parsed = RejectBody.safeParse({ reason: String(body.reason ?? '').trim() });
      if (!parsed.success) throw refused('invalid_input', 'the reason is required');
      await rejectApplication(tx, { id, reason: parsed.data.reason, userId });
    }, 'rejected'),
  );

  router.post(
    '/applications/:id/disburse',
    command((tx, _ctx, _body, id, userId) => disburseApplication(tx, { id, userId, on: today() }), 'disbursed'),
  );

  return router;
}
