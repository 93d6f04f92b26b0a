/**
 * The operators' page of the national register of projects (/operator/projects, docs/projects.md): the
 * projects over-funded or in conflict today (the same read model and presenter as GET /api/v1/projects),
 * each with what its banks declared, and the way to decide — its figures, or a link of another spelling into
 * it — proposed exactly as the API proposes them (`proposeAct`, four eyes): the page then says the act awaits
 * a second operator's confirmation at /operator/approvals.
 */
import { Router, type Request, type Response } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { perform, settled } from '../../app/perform.js';
import { registerEntriesNeedingAttention } from '../../db/read-models/projects.js';
import { parseTonnes, parseYuan } from '../../domain/money.js';
import { isUuid } from '../../schemas/common.js';
import { DecideProjectBody, LinkProjectsBody } from '../../schemas/projects.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentProjectSummary, type ProjectSummaryView } from '../../api/presenters/projects.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { pageOf, type PageContext } from './context.js';
import { headRow, html, numCells, type Html } from './html.js';
import { formatDecimal } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';

/** Entries a page lists (each a section with its loans and forms). */
const LIST_LIMIT = 50;
const CODE = /^[a-z_]{1,64}$/;
const YUAN_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

function outcome(ctx: PageContext, req: Request): Html {
  const q = req.query;
  if (typeof q.error === 'string' && CODE.test(q.error)) {
    const rule = typeof q.rule === 'string' && CODE.test(q.rule) && q.rule !== q.error ? ` — ${q.rule}` : '';
    return html`<p class="error" role="alert">${pageRefusal(q.error, ctx.lang) ?? q.error}${rule}</p>`;
  }
  if (typeof q.proposed === 'string' && isUuid(q.proposed))
    return html`<p class="notice" role="status">${ctx.t.owProposed} — <a href="/operator/approvals#approval-${q.proposed}">${ctx.t.owProposedLink}</a></p>`;
  return html``;
}

export function projectRegisterPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const paging = pagingOf(req, LIST_LIMIT);
    const { shown, hasNext } = pageOfRead(await registerEntriesNeedingAttention(db, { limit: readLimit(paging), after: null }), paging);
    const items = shown.map(presentProjectSummary);
    const listing = items.length ? html`${items.map((p) => entrySection(ctx, p))}` : html`<p class="empty">${t.prjNone}</p>`;
    const body = html`<h1>${t.prjHeading}</h1>
<p><a href="/operator">${t.operatorHeading}</a></p>
<p class="hint">${t.prjIntro}</p>
${outcome(ctx, req)}
${listing}${pager(ctx, paging, items.length, hasNext)}`;
    sendPage(res, ctx, t.prjHeading, body);
  });

  /** A four-eyes proposal from a form: back to the page with the approval, or with the refusal's rule. */
  const propose =
    (
      parse: (form: Record<string, unknown>, id: string) => Parameters<typeof proposeAct>[2] | null,
      kind: 'decide_project_figures' | 'link_projects',
    ) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const id = String(req.params.id);
      const input = isUuid(id) ? parse((req.body ?? {}) as Record<string, unknown>, id) : null;
      const back = (query: Record<string, string>) => res.redirect(303, `/operator/projects?${new URLSearchParams(query).toString()}`);
      if (!input) return back({ error: 'invalid_input' });
      const result = await settled(
        perform(db, { now: deps.now(), actor }, (ctx) =>
          proposeAct(ctx, kind, input as never, { reason: (input as { reason: string }).reason }),
        ),
      );
      if (!result.ok) return back({ error: result.status, ...(result.errors?.length ? { rule: result.errors[0].code } : {}) });
      if (result.value.performed) throw new Error(`${kind} always takes four eyes`);
      back({ proposed: result.value.approval.id });
    };

  router.post(
    '/:id/decision',
    propose((form, id) => {
      const parsed = DecideProjectBody.safeParse({
        totalInvestment: text(form.totalInvestment),
        annualReductionTonnes: text(form.annualReductionTonnes),
        reason: text(form.reason),
      });
      if (!parsed.success) return null;
      return {
        id,
        totalInvestmentFen: String(parseYuan(parsed.data.totalInvestment)!),
        annualReductionCentitonnes: String(parseTonnes(parsed.data.annualReductionTonnes)!),
        reason: parsed.data.reason,
      };
    }, 'decide_project_figures'),
  );
  router.post(
    '/:id/link',
    propose((form, id) => {
      const parsed = LinkProjectsBody.safeParse({ otherProject: text(form.otherProject), reason: text(form.reason) });
      return parsed.success ? { id, otherId: parsed.data.otherProject, reason: parsed.data.reason } : null;
    }, 'link_projects'),
  );

  return router;
}

function entrySection(ctx: PageContext, p: ProjectSummaryView): Html {
  const { t, lang } = ctx;
  const n = (v: string) => formatDecimal(lang, v);
  const states = [
    p.state.overfunded ? fill(t.prjOverfunded, { excess: n(p.state.excess) }) : null,
    p.state.conflict ? t.prjConflict : null,
  ].filter((s): s is string => s !== null);
  const declared = html`<div class="table-wrap" role="region" aria-label="${t.prjDeclared}" tabindex="0"><table><caption>${t.prjDeclared}</caption>
${headRow([t.prjInvestment, t.prjReduction])}<tbody>${p.declared.map((d) => html`<tr>${numCells([n(d.totalInvestment), n(d.annualReductionTonnes)])}</tr>`)}</tbody></table></div>`;
  const first = p.decided ?? p.declared[0];
  const decideForm = html`<form method="post" action="/operator/projects/${p.id}/decision" class="stack narrow">${ctx.csrfField()}
<h3>${t.prjDecide}</h3>
<label for="inv-${p.id}">${t.prjInvestment}</label><input id="inv-${p.id}" name="totalInvestment" required inputmode="decimal" pattern="${YUAN_PATTERN}" value="${first?.totalInvestment ?? ''}">
<label for="red-${p.id}">${t.prjReduction}</label><input id="red-${p.id}" name="annualReductionTonnes" required inputmode="decimal" pattern="${YUAN_PATTERN}" value="${first?.annualReductionTonnes ?? ''}">
<label for="why-${p.id}">${t.opReason}</label><input id="why-${p.id}" name="reason" required maxlength="1000">
<button type="submit">${t.prjPropose}</button></form>`;
  const linkForm = html`<form method="post" action="/operator/projects/${p.id}/link" class="stack narrow">${ctx.csrfField()}
<h3>${t.prjLink}</h3>
<label for="other-${p.id}">${t.prjOtherId}</label><input id="other-${p.id}" name="otherProject" required pattern="[0-9a-fA-F-]{36}">
<label for="lwhy-${p.id}">${t.opReason}</label><input id="lwhy-${p.id}" name="reason" required maxlength="1000">
<button type="submit" class="secondary">${t.prjPropose}</button></form>`;
  const decided = p.decided
    ? html`<p>${fill(t.prjDecidedFigures, { t: n(p.decided.totalInvestment), r: n(p.decided.annualReductionTonnes) })}</p>`
    : html``;
  return html`<section class="shared-project" id="project-${p.id}" aria-labelledby="h-${p.id}"><h2 id="h-${p.id}">${p.name}</h2>
<p role="status"><strong>${states.join(' · ')}</strong></p>
<dl class="facts"><dt>${t.spCreditCode}</dt><dd>${p.creditCode}</dd><dt>${t.spProvince}</dt><dd>${p.province}</dd>
<dt>${t.prjId}</dt><dd><code>${p.id}</code></dd><dt>${t.prjBanks}</dt><dd>${p.banks}</dd>
<dt>${t.prjFunded}</dt><dd>${n(p.funded)}</dd><dt>${t.prjRegistered}</dt><dd>${n(p.state.registeredInvestment)}</dd></dl>
${decided}${declared}
${decideForm}${linkForm}</section>`;
}
