/**
 * The operator's reconciliation page (/operator/reconciliation): for a bank with imported published
 * statements, one table per quarter comparing each published figure with the figure compiled now from
 * the loan-level records (the same use case as GET /api/v1/disclosures/:code/:quarter/reconciliation).
 */
import { Router } from 'express';
import { reconcileBank } from '../../app/imports/reconcile-statement.js';
import { perform, settled } from '../../app/perform.js';
import { banksWithImportedStatements } from '../../db/repositories/imports.js';
import { AREA_NAMES } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentReconciliation } from '../../api/presenters/imports.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf, type PageContext } from './context.js';
import { formatDecimal } from './figures.js';
import { cells, headRow, html, numCells } from './html.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';

const CODE = /^[A-Za-z0-9_-]{1,50}$/;

export function reconciliationPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const banks = await banksWithImportedStatements(db);
    const asked = typeof req.query.bank === 'string' && CODE.test(req.query.bank) ? req.query.bank : null;
    const code = asked ?? banks[0]?.code ?? null;
    const onlyDifferences = req.query.show === 'differences';
    const option = (b: (typeof banks)[number]) => {
      const selected = b.code === code ? html` selected` : '';
      return html`<option value="${b.code}"${selected}>${b.code} · ${ctx.lang === 'zh' ? b.nameZh : b.nameEn}</option>`;
    };
    const picker = html`<form method="get" action="/operator/reconciliation" class="filters">
<div><label for="r-bank">${t.recBank}</label><select id="r-bank" name="bank">${banks.map(option)}</select></div>
<div><label for="r-show">${t.recShowLabel}</label><select id="r-show" name="show"><option value="">${t.recShowAll}</option><option value="differences"${
      onlyDifferences ? html` selected` : ''
    }>${t.recShowDifferences}</option></select></div>
<button type="submit">${t.recShow}</button></form>`;
    let tables = html`<p class="empty">${t.recNone}</p>`;
    if (code) {
      const result = await settled(
        perform(db, { now: deps.now(), actor: pageActorOf(res)! }, (uc) => reconcileBank(uc, { institutionCode: code })),
      );
      if (!result.ok) tables = html`<p class="error" role="alert">${pageRefusal(result.status, ctx.lang)}</p>`;
      else if (result.value.length) {
        const quarters = result.value.map(presentReconciliation);
        const shown = onlyDifferences ? quarters.filter((q) => !q.agrees) : quarters;
        tables = html`${reconciliationSummary(ctx, code, quarters)}${shown.map((r) => quarterTable(ctx, r, onlyDifferences))}`;
      }
    }
    const body = html`<h1>${t.recHeading}</h1>
<p><a href="/operator">${t.operatorHeading}</a></p>
<p class="hint">${t.recIntro}</p>
${banks.length ? picker : ''}
${tables}`;
    sendPage(res, ctx, t.recHeading, body);
  });

  return router;
}

type QuarterReconciliation = ReturnType<typeof presentReconciliation>;

/** "19 quarters agree, 1 differs: 2023Q4", each differing quarter a link to its table. */
export function reconciliationSummary(ctx: PageContext, code: string, quarters: QuarterReconciliation[]) {
  const { t } = ctx;
  const differing = quarters.filter((q) => !q.agrees);
  const agreeing = quarters.length - differing.length;
  const list = differing.map(
    (q, i) =>
      html`${i ? (ctx.lang === 'zh' ? '、' : ', ') : ''}<a href="?bank=${code}&amp;show=differences#rec-${q.quarter}">${q.quarter}</a>`,
  );
  const line = differing.length
    ? html`${fill(t.recSummaryDiffer, { agree: agreeing, differ: differing.length })}${list}`
    : html`${fill(t.recSummaryAllAgree, { agree: agreeing })}`;
  return html`<p class="rec-summary${differing.length ? ' differs' : ''}" role="status"><strong>${line}</strong></p>`;
}

function quarterTable(ctx: PageContext, r: QuarterReconciliation, onlyDifferences = false) {
  const { t } = ctx;
  const horizon = { quarter: t.horizonQuarter, yearToDate: t.horizonYtd, sinceInception: t.horizonSince } as const;
  const figure = {
    projects: t.projects,
    loanAmountWanYuan: t.loanAmount,
    weightedAverageRatePercent: t.weightedRate,
    annualReductionTonnes: t.annualReduction,
  } as const;
  const scope = (s: string) =>
    s === 'total' ? t.recTotal : ((AREA_NAMES as Record<string, { zh: string; en: string }>)[s]?.[ctx.lang] ?? s);
  const summary = { v: r.imported.version, on: r.imported.publishedOn ?? '—', loans: r.countedLoans, n: r.differences };
  const caption = `${r.institution} ${r.quarter}: ${fill(t.recSummary, summary)}`;
  const badge = r.agrees ? html`<span class="badge">${t.recAgrees}</span>` : html`<span class="badge restatement">${t.recDiffers}</span>`;
  const head = headRow([t.recScope, t.quarter, t.recFigure, t.recImported, t.recCompiled, t.recDifference, t.recAgrees]);
  const rows = r.rows
    .filter((row) => !onlyDifferences || !row.agrees)
    .map((row) => {
      const label = cells([horizon[row.horizon], figure[row.figure]]);
      const n = (v: string | null) => (v === null ? '—' : formatDecimal(ctx.lang, v, v.includes('.') ? v.split('.')[1].length : 0));
      const numbers = numCells([n(row.imported), n(row.compiled)]);
      const difference = html`<td class="num${row.agrees ? '' : ' differs'}">${n(row.difference)}</td>`;
      const agrees = row.agrees ? '✓' : html`<strong>✗ ${t.recDiffers}</strong>`;
      return html`<tr><th scope="row">${scope(row.scope)}</th>${label}${numbers}${difference}<td>${agrees}</td></tr>`;
    });
  return html`<section aria-labelledby="rec-${r.quarter}"><h2 id="rec-${r.quarter}">${r.quarter} ${badge}</h2>
<div class="table-wrap" tabindex="0"><table><caption>${caption}</caption>
${head}
<tbody>${rows}</tbody></table></div></section>`;
}
