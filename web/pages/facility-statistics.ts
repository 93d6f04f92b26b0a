/**
 * The facility's figures on a date: the operators' page (/operator/statistics, every bank, the central
 * bank's statement) and the public page (/statistics, the published part: no bank's own line, with the
 * balance at each quarter end as a chart), each with CSV and JSON downloads (….csv, ….json).
 */
import { Router, type Request, type Response } from 'express';
import { facilityStatement, facilityStatistics, readFigures } from '../../app/statistics/facility-statistics.js';
import { publishedStatistics } from '../../app/statistics/published-statistics.js';
import { isIsoDate, shanghaiDate } from '../../domain/dates.js';
import { AREA_NAMES } from '../../domain/policy/index.js';
import { CATEGORY_NAMES } from '../../domain/policy/institution-categories.js';
import type { AppDeps } from '../../process/context.js';
import { sendCsv, sendJsonDownload } from '../../api/downloads.js';
import { presentFigures, presentPublicFigures } from '../../api/presenters/statistics.js';
import type { CsvValue } from '../../platform/csv.js';
import { barChart } from './charts.js';
import { pageOf, type PageContext } from './context.js';
import { headRow, html, numCells, type Html } from './html.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';

type View = ReturnType<typeof presentFigures>;
type Line = {
  loans: number;
  loansPrincipal: string;
  enterprises: number;
  projects: number;
  annualReductionTonnes: string;
  provided?: string;
  outstanding?: string;
};
const COLUMNS = ['scope', 'key', 'provided', 'outstanding', 'loans', 'loansPrincipal', 'enterprises', 'projects', 'annualReductionTonnes'];

function dateOf(req: Request, deps: AppDeps): string {
  const on = typeof req.query.on === 'string' && isIsoDate(req.query.on) ? req.query.on : null;
  return on ?? shanghaiDate(deps.now());
}

const support = (l: Line) => [l.provided ?? '—', l.outstanding ?? '—'];

function csvRows(v: View): CsvValue[][] {
  const row = (scope: string, key: string, l: Line): CsvValue[] => {
    const [provided, outstanding] = [l.provided ?? null, l.outstanding ?? null];
    return [scope, key, provided, outstanding, l.loans, l.loansPrincipal, l.enterprises, l.projects, l.annualReductionTonnes];
  };
  return [
    row('total', '', v.total),
    ...v.byCategory.map((c) => row('category', c.category, c)),
    ...v.byProvince.map((p) => row('province', p.province, p)),
    ...v.byArea.map((a) => row('area', a.area, a)),
    ...v.byInstitution.map((b) => row('institution', b.code, b)),
  ];
}

function table(ctx: PageContext, caption: string, rows: [string, Line][]): Html {
  const { t } = ctx;
  const head = headRow([caption, t.fsProvided, t.fsOutstanding, t.fsLoans, t.fsPrincipal, t.fsEnterprises, t.projects, t.annualReduction]);
  const body = rows.map(
    ([label, l]) =>
      html`<tr><th scope="row">${label}</th>${numCells([...support(l), l.loans, l.loansPrincipal, l.enterprises, l.projects, l.annualReductionTonnes])}</tr>`,
  );
  return html`<table><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function figuresBody(ctx: PageContext, v: View, base: string): Html {
  const { t, lang } = ctx;
  const name = (m: Record<string, { zh: string; en: string }>, key: string) => m[key]?.[lang] ?? key;
  const query = `?on=${v.on}`;
  return html`<form method="get" action="${base}" class="filters"><div><label for="fs-on">${t.fsDate}</label>
<input id="fs-on" name="on" type="date" value="${v.on}"></div><button type="submit">${t.fsShow}</button></form>
<p class="downloads"><a href="${base}.csv${query}" download>CSV</a> · <a href="${base}.json${query}" download>JSON</a></p>
${table(ctx, t.fsTotal, [[t.fsTotal, v.total]])}
${table(
  ctx,
  t.fsByCategory,
  v.byCategory.map((c) => [name(CATEGORY_NAMES, c.category), c]),
)}
${table(
  ctx,
  t.fsByProvince,
  v.byProvince.map((p) => [p.province, p]),
)}
${table(
  ctx,
  t.fsByArea,
  v.byArea.map((a) => [name(AREA_NAMES, a.area), a]),
)}
${
  v.byInstitution.length
    ? table(
        ctx,
        t.fsByInstitution,
        v.byInstitution.map((b) => [`${b.code} · ${lang === 'zh' ? b.nameZh : b.nameEn}`, b]),
      )
    : ''
}`;
}

async function answer(req: Request, res: Response, deps: AppDeps, scope: 'operator' | 'public', format: Format) {
  const ctx = pageOf(res);
  const on = dateOf(req, deps);
  const acting = { now: deps.now(), actor: null };
  const series = scope === 'public' && format === 'html';
  // the operators' page: the figures and the statement printed from them, in one snapshot, computed once
  const withStatement = scope === 'operator' && format === 'html';
  const { stats, statement } =
    scope === 'public'
      ? { stats: await publishedStatistics(deps.database.db).get(acting, { on, series }), statement: null }
      : await readFigures(deps.database.db, acting, async (uc) => {
          const figures = await facilityStatistics(uc, { on, series });
          return { stats: figures, statement: withStatement ? await facilityStatement(uc, { on, figures: figures.figures }) : null };
        });
  const present = scope === 'public' ? presentPublicFigures : presentFigures;
  const view = present(stats.figures);
  const filename = `facility-statistics-${on}`;
  if (format === 'csv') return sendCsv(res, `${filename}.csv`, { columns: COLUMNS, rows: csvRows(view) });
  if (format === 'json') return sendJsonDownload(res, `${filename}.json`, view);
  const base = scope === 'public' ? '/statistics' : '/operator/statistics';
  let top = html``;
  if (statement) {
    const changed = stats.lastChanged.at ? stats.lastChanged.at.toISOString() : '—';
    top = html`<p><a href="/operator">${ctx.t.operatorHeading}</a></p>
<blockquote class="statement">${ctx.lang === 'zh' ? statement.zh : statement.en}</blockquote>
<p class="hint">${fill(ctx.t.fsLastChanged, { at: changed })}</p>`;
  } else if (stats.series) {
    const points = stats.series.map((s) => ({ label: s.on, value: presentPublicFigures(s).total.outstanding }));
    top = barChart(ctx.t.fsBalanceChart, points);
  }
  sendPage(res, ctx, ctx.t.fsHeading, html`<h1>${ctx.t.fsHeading}</h1>${top}${figuresBody(ctx, view, base)}`);
}

type Format = 'html' | 'csv' | 'json';

/** Mounted at /operator: the page /operator/statistics and its downloads (….csv, ….json). */
export function operatorStatisticsPages(deps: AppDeps): Router {
  const router = Router();
  for (const format of ['html', 'csv', 'json'] as Format[]) {
    const path = format === 'html' ? '/statistics' : `/statistics.${format}`;
    router.get(path, (req, res) => answer(req, res, deps, 'operator', format));
  }
  return router;
}

/** The public page and its downloads: /statistics, /statistics.csv, /statistics.json. */
export function publicStatisticsPages(deps: AppDeps): Router {
  const router = Router();
  for (const format of ['html', 'csv', 'json'] as Format[]) {
    const path = format === 'html' ? '/statistics' : `/statistics.${format}`;
    router.get(path, (req, res) => answer(req, res, deps, 'public', format));
  }
  return router;
}
