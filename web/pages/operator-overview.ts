/**
 * The operator's overview (/operator): quarterly operations, applications awaiting a decision (approve /
 * reject forms) or a disbursement, tranches maturing or overdue, open margin calls and pool shortfalls.
 * It reads one read model; a refusal of a decision (operator-decisions.ts) comes back here as the problems
 * table's page message.
 */
import { Router } from 'express';
import { addDays, daysBetween, shanghaiDate } from '../../domain/dates.js';
import { operatorOverview } from '../../db/read-models/operator-overview.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentApplication, presentOperation, presentPoolShortfall } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf } from './context.js';
import { cells, headRow, html, numCells, type Html } from './html.js';
import { fill, statusWord, type Dict } from './i18n.js';
import { fenFigure, yuanFigure } from './figures.js';
import { sendPage } from './layout.js';
import { operatorWorkLinks } from './operator-work.js';

/** How many rows each section of the overview shows (the API lists page further). */
const SECTION_LIMIT = 200;
const OPERATIONS_SHOWN = 8;
const MATURITY_HORIZON_DAYS = 90;

const CODE = /^[a-z_]{1,64}$/;
/** a partial approval amount in yuan (the form field's pattern) */
const AMOUNT_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';

function doneMessage(t: Dict, done: string): string | null {
  const known: Record<string, string> = { approved: t.opDoneApproved, rejected: t.opDoneRejected, disbursed: t.opDoneDisbursed };
  return known[done] ?? null;
}

const table = (caption: string, head: string[], rows: Html[], empty: string) => {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  const top = html`<caption class="visually-hidden">${caption}</caption>${headRow(head)}`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table>${top}<tbody>${rows}</tbody></table></div>`;
};

/** The approval form's optional partial amount (yuan), with the requested amount as its placeholder. */
const amountInput = (id: string, requested: string) =>
  html`<input id="approve-amount-${id}" name="amount" inputmode="decimal" pattern="${AMOUNT_PATTERN}" placeholder="${requested}">`;

export function operatorOverviewPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const today = () => shanghaiDate(deps.now());

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const on = today();
    // a refusal's page message from the problems table; a code it does not know (a forged URL) shows nothing
    const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
    const done = typeof req.query.done === 'string' ? doneMessage(t, req.query.done) : null;

    const overview = await operatorOverview(db, {
      on,
      maturingThrough: addDays(on, MATURITY_HORIZON_DAYS),
      operations: OPERATIONS_SHOWN,
      limit: SECTION_LIMIT,
    });
    const operations = overview.operations.map((o) => presentOperation(o.operation, o.usage));
    const { maturing, overdue, marginCalls: calls } = overview;
    const shortfalls = overview.poolShortfalls.map((r) => presentPoolShortfall(r, on));

    const money = (yuan: string) => yuanFigure(ctx.lang, yuan);
    const operationRows = operations.map((o) => {
      const figures = numCells([money(o.volume), money(o.approved), money(o.disbursed), money(o.remaining), o.awaitingDecision.count]);
      return html`<tr><th scope="row">${o.quarter}</th><td>${statusWord(ctx.lang, o.status)}</td>${figures}</tr>`;
    });

    const submittedRows = overview.submitted.map((r) => {
      const a = presentApplication(r);
      const loans = r.loanCount;
      const id = a.id;
      const head = html`<th scope="row">${a.institution}</th>${cells([a.operation, a.appliedOn])}`;
      return html`<tr id="app-${id}">${head}${numCells([money(a.requested), loans])}
<td><form method="post" action="/operator/applications/${id}/approve" class="decision approve">${ctx.csrfField()}
  <label for="approve-reason-${id}">${t.opReason}</label><input id="approve-reason-${id}" name="reason" required maxlength="2000">
  <label for="approve-amount-${id}">${t.opPartialAmount}</label>${amountInput(id, a.requested)}
  <button type="submit">${t.opApprove}</button></form>
<form method="post" action="/operator/applications/${id}/reject" class="decision reject">${ctx.csrfField()}
  <label for="reject-reason-${id}">${t.opReason}</label><input id="reject-reason-${id}" name="reason" required maxlength="2000">
  <button type="submit" class="secondary">${t.opReject}</button></form></td></tr>`;
    });

    const me = pageActorOf(res)?.userId;
    const approvedRows = overview.approved.map((r) => {
      const a = presentApplication(r);
      const mine = r.application.decidedBy === me;
      const decidedBy = html`${a.decidedBy}${mine ? html` <span class="badge">${t.opYou}</span>` : ''}`;
      const book = html`<button type="submit">${t.opBookDisbursement}</button>`;
      const head = html`<th scope="row">${a.institution}</th>${cells([a.operation])}${numCells([money(a.requested), a.approved === null ? '—' : money(a.approved)])}`;
      return html`<tr id="app-${a.id}">${head}${cells([decidedBy, a.decisionReason])}
<td><form method="post" action="/operator/applications/${a.id}/disburse" class="decision">${ctx.csrfField()}${book}</form></td></tr>`;
    });

    const facilityRow = ({ institutionCode, facility: f }: (typeof maturing)[number]) => {
      const figures = numCells([fenFigure(ctx.lang, f.outstandingFen), f.rolloverCount]);
      const days = daysBetween(on, f.maturesOn);
      const when = days > 0 ? fill(t.opDueInDays, { n: days }) : days === 0 ? t.opDueToday : fill(t.opOverdueDays, { n: -days });
      const status = html`<strong class="${days < 0 ? 'late' : ''}">${statusWord(ctx.lang, f.status)}</strong><br><small>${when}</small>`;
      return html`<tr><th scope="row">${institutionCode}</th>${cells([f.startOn, f.maturesOn])}${figures}${cells([status])}</tr>`;
    };
    const facilityHead = [t.institution, t.opStartOn, t.opMaturesOn, t.opOutstanding, t.opRollovers, t.opStatus];

    const callRows = calls.map(({ call, institutionCode }) => {
      const figures = numCells([call.eligibleCollateralFen, call.exposureFen, call.shortfallFen].map((fen) => fenFigure(ctx.lang, fen)));
      return html`<tr><th scope="row">${institutionCode}</th><td>${call.raisedOn}</td>${figures}</tr>`;
    });
    const callHead = [t.institution, t.opRaisedOn, t.opEligibleCollateral, t.opExposure, t.opShortfall];

    const shortfallRows = shortfalls.map((s) => {
      const due = html`${s.dueOn}${s.overdue ? html` <span class="badge">${t.opOverdueBadge}</span>` : ''}`;
      const figures = numCells([money(s.trancheOutstanding), money(s.poolOutstandingEligible), money(s.amount)]);
      return html`<tr id="shortfall-${s.id}"><th scope="row">${s.institution}</th>${cells([s.raisedOn, due])}${figures}</tr>`;
    });
    const shortfallHead = [t.institution, t.opRaisedOn, t.opDueOn, t.opOutstanding, t.opPoolOutstanding, t.opAmountOwed];

    const operationHead = [t.quarter, t.opStatus, t.opVolume, t.opApproved, t.opDisbursed, t.opRemaining, t.opAwaiting];
    const submittedHead = [t.institution, t.quarter, t.opAppliedOn, t.opRequested, t.opLoansCount, t.opDecision];
    const approvedHead = [t.institution, t.quarter, t.opRequested, t.opApproved, t.opApprovedBy, t.opReason, t.opAction];
    const links = html`<a href="/operator/queues/">${t.opQueuesLink}</a> · <a href="/operator/reconciliation">${t.navReconciliation}</a> · <a href="/operator/shared-projects">${t.navSharedProjects}</a> · <a href="/operator/projects">${t.navProjects}</a> · <a href="/operator/statistics">${t.navStatistics}</a> · <a href="/operator/approvals">${t.navApprovals}</a> · <a href="/operator/audit">${ctx.lang === 'en' ? 'Audit trail' : '审计记录'}</a>`;
    const workLinks = operatorWorkLinks(ctx);
    const work = html`<nav class="subnav" aria-label="${t.owNavLabel}"><ul>${workLinks.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}</ul></nav>`;

    const body = html`<h1>${t.operatorHeading}</h1>
<p>${t.opToday}: ${on} · ${links}</p>
<p class="at-a-glance">${fill(t.opGlance, { overdue: overdue.length, today: maturing.filter((m) => m.facility.status === 'matured').length, soon: maturing.filter((m) => m.facility.status === 'active').length })}</p>
${work}
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${done ? html`<p class="notice" role="status">${done}</p>` : ''}
<section aria-labelledby="h-operations"><h2 id="h-operations">${t.opOperations}</h2>
${table(t.opOperations, operationHead, operationRows, t.opNone)}</section>
<section aria-labelledby="h-submitted"><h2 id="h-submitted">${t.opAwaitingDecision}</h2>
${table(t.opAwaitingDecision, submittedHead, submittedRows, t.opNone)}</section>
<section aria-labelledby="h-approved"><h2 id="h-approved">${t.opAwaitingDisbursement}</h2>
<p class="hint">${t.opMakerCheckerHint}</p>
${table(t.opAwaitingDisbursement, approvedHead, approvedRows, t.opNone)}</section>
<section aria-labelledby="h-overdue"><h2 id="h-overdue">${t.opOverdue}</h2>
${table(t.opOverdue, facilityHead, overdue.map(facilityRow), t.opNone)}</section>
<section aria-labelledby="h-maturing"><h2 id="h-maturing">${t.opMaturing}</h2>
${table(t.opMaturing, facilityHead, maturing.map(facilityRow), t.opNone)}</section>
<section aria-labelledby="h-calls"><h2 id="h-calls">${t.opMarginCalls}</h2>
${table(t.opMarginCalls, callHead, callRows, t.opNone)}</section>
<section aria-labelledby="h-shortfalls"><h2 id="h-shortfalls">${t.opPoolShortfalls}</h2>
<p class="hint">${t.opPoolShortfallHint}</p>
${table(t.opPoolShortfalls, shortfallHead, shortfallRows, t.opNone)}</section>`;
    sendPage(res, ctx, t.operatorHeading, body);
  });

  return router;
}
