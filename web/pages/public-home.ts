/** The public home (/): national totals and the latest quarter, and their downloads (/totals.csv|json). */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { nationalTotals, type Figures, type TotalsCounting, type TotalsMemo } from '../../db/read-models/published.js';
import { sendCsv, sendJsonDownload } from '../../api/downloads.js';
import { html, type Html } from './html.js';
import { figure, formatDecimal, formatRate, formatTonnes, formatWanYuan } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';
import { pageNotFound } from './errors.js';
import { presentCountedOnce, presentSharedInTotals } from '../../api/presenters/shared-projects.js';
import type { CountedOnce } from '../../domain/disclosures/shared-projects.js';
import { instName, figureNotes, downloadLinks, summaryTable, summaryJson, summaryCsv } from './public-shared.js';

export function publicHomePages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  // ---- home: national totals and the latest quarter
  // the frozen loans of the totals are read again only after a publication
  const totalsMemo: TotalsMemo = { key: null, value: null };
  const homeData = () => nationalTotals(db, { memo: totalsMemo });
  router.get('/', async (_req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const totals = await homeData();
    const card = (label: string, value: Html | string, exact?: string) =>
      html`<div class="card"><div class="figure">${value}</div><div class="figure-label">${label}</div>${
        exact ? html`<div class="figure-exact">${exact}</div>` : ''
      }</div>`;
    const figureCards = (f: Figures) => {
      const { lang } = ctx;
      const amount = card(
        t.figLoanAmount,
        figure(formatWanYuan(lang, f.loanAmountWanYuan), f.loanAmountWanYuan),
        fill(t.figExactWan, { v: formatDecimal(lang, f.loanAmountWanYuan) }),
      );
      const amounts = html`${card(t.figProjects, formatDecimal(lang, f.projects, 0))}${amount}`;
      return html`<div class="cards">${amounts}${card(t.figRate, formatRate(f.weightedAverageRatePercent))}${card(
        t.figReduction,
        figure(formatTonnes(lang, f.annualReductionTonnes), f.annualReductionTonnes),
      )}</div>`;
    };
    // the sum of what the institutions published: national only in the sense of every publishing institution
    const totalsHeading =
      totals.institutionsEver === 1
        ? fill(t.totalsOneInstitution, { name: instName(ctx, totals.rows[0] ?? { nameZh: '', nameEn: '' }) })
        : fill(t.totalsHeading, { n: totals.institutionsEver });
    const latestHeading = fill(t.latestTotalsHeading, { quarter: totals.latestQuarter ?? '', n: totals.institutionsInLatest });
    // projects financed by several banks count once in the totals, and the page says so
    const sharedNote = (once: CountedOnce) => {
      if (!once.sharedProjects) return '';
      const shown = presentCountedOnce(once);
      const tonnes = formatDecimal(ctx.lang, shown.reductionNotCountedTonnes);
      return html`<p class="hint shared-projects">${fill(t.sharedTotalsNote, { n: shown.sharedProjects, p: shown.projectsNotCounted, t: tonnes })}</p>`;
    };
    // how each institution's figures are counted: from its frozen loans, or at its published figures
    const countingNote = (c: TotalsCounting) =>
      html`<p class="hint totals-counting">${fill(c.asPublished ? t.totalsCounting : t.totalsCountingLoans, { l: c.fromLoans, p: c.asPublished })}</p>`;
    const body = !totals.latestQuarter
      ? html`<h1>${t.homeHeading}</h1><p>${t.noPublished}</p>`
      : html`<h1>${t.homeHeading}</h1>
<p>${t.homeIntro}</p>
<section aria-labelledby="h-since"><h2 id="h-since">${t.nationalTotals}</h2>
<p class="hint">${totalsHeading}</p>
${figureCards(totals.sinceInception)}
${sharedNote(totals.sharedProjects.sinceInception)}
${countingNote(totals.counting.sinceInception)}
<p>${t.institutionsCount}: ${totals.institutionsEver}</p></section>
<section aria-labelledby="h-latest"><h2 id="h-latest">${t.latestQuarter}: ${totals.latestQuarter}</h2>
<p class="hint">${latestHeading}</p>
${figureCards(totals.latest)}
${sharedNote(totals.sharedProjects.latest)}
${countingNote(totals.counting.latest)}
${summaryTable(ctx, totals.rows, `${t.latestQuarter} ${totals.latestQuarter}`)}
<p><a href="/disclosures?quarter=${totals.latestQuarter}">${t.navDisclosures} →</a></p></section>
${figureNotes(ctx, ['since', 'reduction', 'rate', 'units'])}
${downloadLinks(ctx, '/totals')}`;
    sendPage(res, ctx, t.homeHeading, body);
  });
  router.get('/totals.:format', async (req, res) => {
    const totals = await homeData();
    const format = req.params.format;
    const body = {
      latestQuarter: totals.latestQuarter,
      latest: totals.latest,
      sinceInception: totals.sinceInception,
      institutionsEver: totals.institutionsEver,
      disclosures: totals.rows.map(summaryJson),
      sharedProjects: presentSharedInTotals(totals.sharedProjects),
      counting: totals.counting,
    };
    if (format === 'json') return sendJsonDownload(res, 'cerf-totals.json', body);
    if (format === 'csv') return sendCsv(res, 'cerf-totals.csv', summaryCsv(totals.rows));
    pageNotFound(req, res);
  });

  return router;
}
