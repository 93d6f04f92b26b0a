/**
 * What the operator's workflow pages share (operator-workflows.ts mounts them): the command that runs a
 * form's use case and comes back to the page with its outcome, the four-eyes proposal, the navigation,
 * sections, tables and the booking-date fields.
 */
import { type Request, type Response } from 'express';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import type { Refusal } from '../../app/refusals.js';
import type { ApprovalRow } from '../../db/repositories/approvals.js';
import { isUuid, QuarterString } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { pageActorOf } from '../session/sessions.js';
import { type PageContext } from './context.js';
import { headRow, html, type Html } from './html.js';

export const LIST_LIMIT = 200;
export const CODE = /^[a-z_]{1,64}$/;
export const FIELD = /^[A-Za-z0-9_.]{1,80}$/;
export const YUAN_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';

export type Form = Record<string, unknown>;
export const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
/** the optional effective-date fields of a booking (`on`, `reason`) when filled in */
export const dated = (form: Form) => ({
  ...(text(form.on) ? { on: text(form.on) } : {}),
  ...(text(form.reason) ? { reason: text(form.reason) } : {}),
});

/** A four-eyes act proposed from a page: pending until another operator confirms it at /operator/approvals. */
export type Pending = { proposed: ApprovalRow };
export const pending = (p: { performed: false; approval: ApprovalRow } | { performed: true }, what: string): Pending => {
  if (p.performed) throw new Error(`${what} always takes four eyes`);
  return { proposed: p.approval };
};
/** The query a page comes back with after a proposal: its id and its one-line summary. */
export const proposedQuery = (a: ApprovalRow) => ({ proposed: a.id, what: a.summary.slice(0, 300) });

/** The rule a refusal names: a field-level refusal names it (and its field) in its first violation. */
export const ruleOf = (r: Refusal) =>
  r.errors?.length ? { rule: r.errors[0].code, field: r.errors[0].path } : { rule: r.status, field: r.path };

/** What the page says after a command: the done message, or the refusal's message with its rule and field. */
export function outcome(ctx: PageContext, req: Request): Html {
  const q = req.query;
  const status = typeof q.error === 'string' && CODE.test(q.error) ? q.error : null;
  if (status) {
    const rule = typeof q.rule === 'string' && CODE.test(q.rule) && q.rule !== status ? q.rule : null;
    const field = typeof q.field === 'string' && FIELD.test(q.field) ? q.field : null;
    const detail = [rule, field ? `${ctx.t.owField}: ${field}` : null].filter(Boolean).join(' · ');
    return html`<p class="error" role="alert">${pageRefusal(status, ctx.lang) ?? status}${detail ? html` — ${detail}` : ''}</p>`;
  }
  if (typeof q.proposed === 'string' && isUuid(q.proposed)) {
    const what = typeof q.what === 'string' ? q.what.slice(0, 300) : '';
    return html`<p class="notice" role="status">${ctx.t.owProposed}${what ? html`: ${what}` : ''} — <a href="/operator/approvals#approval-${q.proposed}">${ctx.t.owProposedLink}</a></p>`;
  }
  const done = typeof q.done === 'string' ? q.done.slice(0, 300) : '';
  return done ? html`<p class="notice" role="status">${ctx.t.owDone}: ${done}</p>` : html``;
}

/** The operator's workflow pages, as links (path, name). */
export function operatorWorkLinks({ t }: PageContext): [string, string][] {
  return [
    ['/operator/operations', t.opOperations],
    ['/operator/loans', t.owFlaggedHeading],
    ['/operator/disclosures', t.owDisclosuresHeading],
    ['/operator/conflicts', t.owConflictsHeading],
    ['/operator/collateral', t.owCollateralHeading],
    ['/operator/tranches', t.owTranchesHeading],
    ['/operator/institutions', t.owInstitutionsHeading],
  ];
}

/** Links between the operator's pages. */
export function subnav(ctx: PageContext, current: string): Html {
  const { t } = ctx;
  const links: [string, string][] = [['/operator', t.operatorHeading], ...operatorWorkLinks(ctx)];
  return html`<nav class="subnav" aria-label="${t.owNavLabel}"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${href === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`;
}

export const section = (id: string, heading: string, body: Html | string) =>
  html`<section aria-labelledby="${id}"><h2 id="${id}">${heading}</h2>${body}</section>`;

export function table(caption: string, head: string[], rows: Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table><caption class="visually-hidden">${caption}</caption>${headRow(head)}<tbody>${rows}</tbody></table></div>`;
}

/** The optional booking date and its reason (a date before today needs one), for forms that book. */
export const dateFields = (ctx: PageContext, p: string) =>
  html`<label for="${p}-on">${ctx.t.owBookedOn}</label><input id="${p}-on" name="on" type="date">
<label for="${p}-reason">${ctx.t.owBackdateReason}</label><input id="${p}-reason" name="reason" maxlength="1000">`;

/** The form's quarter when it is one (`2026Q3`), else null. */
export const quarterOf = (form: Form) => (QuarterString.safeParse(text(form.quarter)).success ? text(form.quarter) : null);

/** The command runner of the workflow pages, for the service's database and clock. */
export function commandOf(deps: AppDeps) {
  const { db } = deps.database;
  /**
   * A command: the form is parsed into the use case's input (null: `invalid_input`), the use case runs
   * for the signed-in operator in one transaction, and the browser goes back to `page` with what it
   * answered (`done`, a short summary), with the proposal it stored (`proposed`, a four-eyes act) or
   * with the refusal.
   */
  return <I>(
      page: string | ((req: Request) => string),
      parse: (form: Form, req: Request) => I | null,
      run: (ctx: ActorContext, input: I) => Promise<string | Pending>,
    ) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const back = (query: Record<string, string | undefined>) => {
        const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
        // the page may carry its own query (the disclosures' ?quarter=)
        const to = new URL(typeof page === 'string' ? page : page(req), 'http://page');
        for (const [k, v] of q) to.searchParams.set(k, v);
        res.redirect(303, to.pathname + to.search);
      };
      const input = parse({ ...((req.body ?? {}) as Form), ...req.params }, req);
      if (input === null) return back({ error: 'invalid_input' });
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => run(uc, input)));
      if (!result.ok) {
        const { rule, field } = ruleOf(result);
        return back({ error: result.status, rule, field });
      }
      void deps.services.jobs?.relayNow().catch(() => undefined);
      if (typeof result.value !== 'string') return back(proposedQuery(result.value.proposed));
      back({ done: result.value });
    };
}
