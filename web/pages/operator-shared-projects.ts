/**
 * The operators' listing of projects financed by several banks (/operator/shared-projects): the same
 * read model and presenter as GET /api/v1/shared-projects, one table per project with each bank's loans,
 * and what the national totals count once. The summary counts every shared project; the projects are
 * listed 20 a page.
 */
import { Router } from 'express';
import { isQuarter, quarterBounds } from '../../domain/dates.js';
import { sharedProjectLoans } from '../../db/read-models/shared-projects.js';
import type { AppDeps } from '../../process/context.js';
import { presentSharedProjects, type SharedProjectsView } from '../../api/presenters/shared-projects.js';
import { pageOf, type PageContext } from './context.js';
import { cells, headRow, html, numCells } from './html.js';
import { formatDecimal } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';
import { pageRows, pager, pagingOf } from './paging.js';

const PAGE_PROJECTS = 20;

export function sharedProjectPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const asked = typeof req.query.quarter === 'string' ? req.query.quarter.trim() : '';
    const quarter = isQuarter(asked) ? asked : '';
    const through = quarter ? quarterBounds(quarter).end : null;
    const view = presentSharedProjects(await sharedProjectLoans(db, { through }), through);
    const form = html`<form method="get" action="/operator/shared-projects" class="filters">
<div><label for="sp-quarter">${t.spThrough}</label><input id="sp-quarter" name="quarter" value="${quarter}" placeholder="2022Q3" pattern="\\d{4}Q[1-4]" size="8"></div>
<button type="submit">${t.spShow}</button> <a href="/operator/shared-projects">${t.spAll}</a></form>`;
    const summary = fill(t.spSummary, {
      n: view.totals.sharedProjects,
      p: view.totals.projectsNotCounted,
      t: formatDecimal(ctx.lang, view.totals.reductionNotCountedTonnes),
    });
    const paging = pagingOf(req, PAGE_PROJECTS);
    const { shown, hasNext } = pageRows(view.items.slice(paging.offset), paging);
    const listing = view.items.length
      ? html`<p role="status">${summary}</p>${shown.map((p, i) => projectTable(ctx, p, paging.offset + i))}${pager(ctx, paging, shown.length, hasNext)}`
      : html`<p class="empty">${t.spNone}</p>`;
    const body = html`<h1>${t.spHeading}</h1>
<p><a href="/operator">${t.operatorHeading}</a></p>
<p class="hint">${t.spIntro}</p>
${form}
${listing}`;
    sendPage(res, ctx, t.spHeading, body);
  });

  return router;
}

function projectTable(ctx: PageContext, p: SharedProjectsView['items'][number], i: number) {
  const { t, lang } = ctx;
  const name = (b: { nameZh: string; nameEn: string }) => (lang === 'zh' ? b.nameZh : b.nameEn);
  const n = (v: string) => formatDecimal(lang, v);
  const head = headRow([t.institution, t.spLoanRef, t.spProjectRef, t.spDisbursedOn, t.quarter, t.spPrincipal, t.spAttributed]);
  const rows = p.banks.flatMap((b) =>
    b.loans.map(
      (l) =>
        html`<tr><th scope="row">${b.institution.code} · ${name(b.institution)}</th>${cells([l.loanRef, l.projectRef, l.disbursedOn, l.quarter])}${numCells(
          [n(l.principal), n(l.attributedAnnualReductionTonnes)],
        )}</tr>`,
    ),
  );
  const total = html`<tr class="total"><th scope="row" colspan="5">${t.spAllBanks}</th>${numCells([
    n(p.principal),
    n(p.attributedAnnualReductionTonnes),
  ])}</tr>`;
  const counted = html`<dl class="facts"><dt>${t.spProjectReduction}</dt><dd>${n(p.projectAnnualReductionTonnes)}</dd>
<dt>${t.spCountedOnce}</dt><dd>${n(p.countedOnceTonnes)}</dd><dt>${t.spNotCounted}</dt><dd>${n(p.notCountedTonnes)}</dd></dl>`;
  const caption = `${p.projectName} · ${t.spProvince} ${p.province} · ${t.spCreditCode} ${p.creditCode} · ${t.spQuarters} ${p.quarters.join(', ')}`;
  return html`<section class="shared-project" aria-labelledby="sp-${i}"><h2 id="sp-${i}">${p.projectName}</h2>
<div class="table-wrap" role="region" aria-label="${p.projectName}" tabindex="0"><table class="stack"><caption>${caption}</caption>
${head}
<tbody>${rows}</tbody><tfoot>${total}</tfoot></table></div>
${counted}</section>`;
}
