/** One institution across quarters (/institutions/:code, .csv, .json): charts, its quarters, timeliness. */
import { Router } from 'express';
import type { AppDeps } from '../../process/context.js';
import { barChart, lineChart } from './charts.js';
import { pageOf } from './context.js';
import { institutionSeries, type Figures } from '../../db/read-models/published.js';
import { sendCsv, sendJsonDownload, splitFormat } from '../../api/downloads.js';
import { html } from './html.js';
import { formatDecimal } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';
import { pageNotFound } from './errors.js';
import { timelinessMap, timelinessSection } from './timeliness.js';
import { shanghaiDate } from '../../domain/dates.js';
import { instName, figureNotes, downloadLinks, summaryTable, quarterSpan, summaryJson, summaryCsv } from './public-shared.js';

export function publicInstitutionPages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  // ---- one institution across quarters
  router.get('/institutions/:code', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const { name, format } = splitFormat(String(req.params.code));
    const series = await institutionSeries(db, name.toUpperCase());
    if (!series || !series.quarters.length) return pageNotFound(req, res);
    const { institution: inst, quarters } = series;
    if (format === 'json')
      return sendJsonDownload(res, `cerf-${inst.code}.json`, {
        institution: { code: inst.code, nameZh: inst.nameZh, nameEn: inst.nameEn },
        quarters: quarters.map(summaryJson),
      });
    if (format === 'csv') return sendCsv(res, `cerf-${inst.code}.csv`, summaryCsv(quarters));
    // every quarter from the first to the last published: a quarter without a disclosure has no value (a
    // gap); charts plot the exact figures (printed ones may carry separators)
    const byQuarter = new Map(quarters.map((r) => [r.quarter, r]));
    const span = quarterSpan(quarters[0].quarter, quarters[quarters.length - 1].quarter);
    // the exact figure places the mark, the published (rounded) one is printed, as in the table
    const points = (pick: (f: Figures) => string | null) =>
      span.map((q) => {
        const r = byQuarter.get(q);
        return {
          label: q,
          value: r ? pick({ ...r.horizons.quarter, ...r.horizons.quarter.exact }) : null,
          printed: r ? pick(r.horizons.quarter) : null,
        };
      });
    const chartFormat = (decimals: number) => ({
      value: (v: string) => formatDecimal(ctx.lang, v, decimals),
      tick: (v: number) => formatDecimal(ctx.lang, String(v), 0).replace(/[.,]00$/, ''),
      empty: t.chartNoLoans,
    });
    const timeliness = await timelinessMap(db, shanghaiDate(deps.now()), { institutionCode: inst.code });
    const heading = fill(t.institutionHeading, { name: instName(ctx, inst) });
    const body = html`<h1>${heading}</h1>
<div class="charts">
<figure class="chart"><figcaption>${t.chartLoanAmount}</figcaption>${barChart(
      t.chartLoanAmount,
      points((f) => f.loanAmountWanYuan),
      chartFormat(2),
    )}</figure>
<figure class="chart"><figcaption>${t.chartReduction}</figcaption>${barChart(
      t.chartReduction,
      points((f) => f.annualReductionTonnes),
      chartFormat(2),
    )}</figure>
<figure class="chart"><figcaption>${t.chartRate}</figcaption>${lineChart(
      t.chartRate,
      points((f) => f.weightedAverageRatePercent),
      { value: (v: string) => `${v}%`, tick: (v: number) => `${v}%`, empty: t.chartNoLoans },
    )}</figure>
</div>
<p class="hint">${t.chartGapNote}</p>
<h2>${t.figuresAcrossQuarters}</h2>
${summaryTable(ctx, [...quarters].reverse(), heading, { timeliness })}
${figureNotes(ctx, ['reduction', 'rate', 'units'])}
${timelinessSection(ctx, [...timeliness.values()])}
${downloadLinks(ctx, `/institutions/${inst.code}`)}`;
    sendPage(res, ctx, heading, body);
  });

  return router;
}
