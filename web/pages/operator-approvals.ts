/**
 * The operator's four-eyes page (/operator/approvals): the acts other operators proposed, to confirm
 * or decline with a reason, the signed-in operator's own proposals (to withdraw), and the recent
 * decisions. The forms run the same use cases as POST /api/v1/approvals/:id/confirm, /decline and
 * /withdraw; a refusal comes back named by its page message.
 */
import { Router, type Request, type Response } from 'express';
import { confirmApproval, declineApproval, withdrawApproval } from '../../app/approvals/decide-approval.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import { refreshPolicyData } from '../../app/policy/policy-data.js';
import { listApprovals } from '../../db/repositories/approvals.js';
import { isUuid } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentApproval } from '../../api/presenters/approvals.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { pageOf } from './context.js';
import { approvalSubjects } from '../../db/read-models/approval-subjects.js';
import { approvalSummary, subjectIds } from './approval-summary.js';
import { beijingTime } from './figures.js';
import { cells, headRow, html, type Html } from './html.js';
import { statusWord } from './i18n.js';
import { sendPage } from './layout.js';

const CODE = /^[a-z_]{1,64}$/;
/** Acts awaiting confirmation a page lists. */
const SHOWN = 50;

export function approvalPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const me = pageActorOf(res)?.userId;
    const now = deps.now();
    const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
    const doneMessages: Record<string, string> = { confirmed: t.apConfirmed, declined: t.apDeclined, withdrawn: t.apWithdrawn };
    const done = typeof req.query.done === 'string' ? (doneMessages[req.query.done] ?? null) : null;
    const paging = pagingOf(req, SHOWN);
    const pendingPage = pageOfRead(await listApprovals(db, { status: 'pending', asOf: now, limit: readLimit(paging) }), paging);
    const pending = pendingPage.shown.map((r) => presentApproval(r, now));
    const recent = (await listApprovals(db, { asOf: now, limit: 20 }))
      .slice(0, 20)
      .map((r) => presentApproval(r, now))
      .filter((a) => a.status !== 'pending');

    const subjects = await approvalSubjects(db, subjectIds([...pending, ...recent]));
    const act = (a: (typeof pending)[number]) => {
      const { text, href } = approvalSummary(ctx, a, subjects);
      return href ? html`<a href="${href}">${text}</a>` : text;
    };
    const row = (a: (typeof pending)[number]): Html => {
      const mine = a.proposedBy.id === me;
      const forms = mine
        ? html`<p class="hint">${t.apYours}</p>
<form method="post" action="/operator/approvals/${a.id}/withdraw" class="decision">${ctx.csrfField()}
  <button type="submit" class="secondary">${t.apWithdraw}</button></form>`
        : html`<form method="post" action="/operator/approvals/${a.id}/confirm" class="decision approve">${ctx.csrfField()}
  <label for="confirm-comment-${a.id}">${t.apComment}</label><input id="confirm-comment-${a.id}" name="comment" maxlength="2000">
  <button type="submit">${t.apConfirm}</button></form>
<form method="post" action="/operator/approvals/${a.id}/decline" class="decision reject">${ctx.csrfField()}
  <label for="decline-reason-${a.id}">${t.apReason}</label><input id="decline-reason-${a.id}" name="reason" required maxlength="2000">
  <button type="submit" class="secondary">${t.apDecline}</button></form>`;
      return html`<tr id="approval-${a.id}"><th scope="row" class="act">${act(a)}</th>${cells([
        html`${a.proposedBy.name}<br><small>${beijingTime(ctx.lang, a.proposedAt)}</small>`,
        beijingTime(ctx.lang, a.expiresAt),
        a.reason ?? '—',
      ])}<td>${forms}</td></tr>`;
    };
    const pendingTable = pending.length
      ? html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${t.apHeading}</caption>${headRow([t.apAct, `${t.apProposedBy} · ${t.apProposedAt}`, t.apExpiresAt, t.apReason, t.opDecision])}<tbody>${pending.map(row)}</tbody></table></div>`
      : html`<p class="empty">${t.apNone}</p>`;
    const pendingPager = pager(ctx, paging, pending.length, pendingPage.hasNext);
    const recentRows = recent.map(
      (a) =>
        html`<tr><th scope="row" class="act">${act(a)}</th>${cells([statusWord(ctx.lang, a.status), a.proposedBy.name, a.decidedBy?.name ?? '—', a.decisionNote ?? '—'])}</tr>`,
    );
    const recentTable = recentRows.length
      ? html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${t.apRecent}</caption>${headRow([t.apAct, t.apStatus, t.apProposedBy, t.apDecidedBy, t.apReason])}<tbody>${recentRows}</tbody></table></div>`
      : html`<p class="empty">${t.apNone}</p>`;
    const body = html`<h1>${t.apHeading}</h1>
<p><a href="/operator">${t.operatorHeading}</a></p>
<p class="hint">${t.apIntro}</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${done ? html`<p class="notice" role="status">${done}</p>` : ''}
<section aria-labelledby="h-pending"><h2 id="h-pending">${t.navApprovals}</h2>${pendingTable}${pendingPager}</section>
<section aria-labelledby="h-recent"><h2 id="h-recent">${t.apRecent}</h2>${recentTable}</section>`;
    sendPage(res, ctx, t.apHeading, body);
  });

  const command =
    (useCase: (ctx: ActorContext, id: string, body: Record<string, unknown>) => Promise<unknown> | null, done: string) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const id = String(req.params.id);
      const back = (status: string) => res.redirect(303, `/operator/approvals?error=${encodeURIComponent(status)}`);
      if (!isUuid(id)) return back('not_found');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const result = await settled(
        perform(db, { now: deps.now(), actor }, async (uc) => {
          const run = useCase(uc, id, body);
          return run === null ? 'invalid_input' : run;
        }),
      );
      if (!result.ok) return back(result.status);
      if (result.value === 'invalid_input') return back('invalid_input');
      await refreshPolicyData(db).catch((err) => deps.logger.warn({ err }, 'policy data refresh after a confirmation failed'));
      res.redirect(303, `/operator/approvals?done=${done}`);
    };

  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 2000) : undefined);
  router.post(
    '/:id/confirm',
    command((ctx, id, body) => confirmApproval(ctx, { id, comment: text(body.comment) }), 'confirmed'),
  );
  router.post(
    '/:id/decline',
    command((ctx, id, body) => {
      const reason = text(body.reason);
      return reason === undefined ? null : declineApproval(ctx, { id, reason });
    }, 'declined'),
  );
  router.post(
    '/:id/withdraw',
    command((ctx, id) => withdrawApproval(ctx, { id }), 'withdrawn'),
  );

  return router;
}
