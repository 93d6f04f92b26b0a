/** Public pages (no sign-in): home with national totals, the disclosure index, a disclosure, an institution. */
import { PublishedCache } from './published-cache.js';
import { Router } from 'express';
import { isQuarter, quarterBounds } from '../../domain/dates.js';
import { renderStatement } from '../../domain/disclosures/statement.js';
import { AREA_NAMES, type Area } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { barChart, lineChart } from './charts.js';
import { pageOf, type PageContext } from './context.js';
import {
  findPublished,
  institutionSeries,
  listPublished,
  nationalTotals,
  publishedFilterOptions,
  type Figures,
  type Horizons,
  type PublishedDisclosure,
  type PublishedSummary,
  type TotalsCounting,
  type TotalsMemo,
} from '../../db/read-models/published.js';
import type { Csv } from '../../platform/csv.js';
import { sendCsv, sendJsonDownload, splitFormat } from '../../api/downloads.js';
import { cells, headRow, html, type Html } from './html.js';
import { figure, formatDecimal, formatRate, formatTonnes, formatWanYuan } from './figures.js';
import { fill } from './i18n.js';
import { sendPage } from './layout.js';
import { pageNotFound } from './errors.js';
import { methodsSection, namedProjectsNote, restatementSection } from './statement-sections.js';
import { timelinessCell, timelinessMap, timelinessSection } from './timeliness.js';
import type { Timeliness } from '../../domain/disclosures/timeliness.js';
import { shanghaiDate } from '../../domain/dates.js';
import { presentCountedOnce, presentSharedInTotals } from '../../api/presenters/shared-projects.js';
import type { CountedOnce } from '../../domain/disclosures/shared-projects.js';

const HORIZON_KEYS = ['quarter', 'yearToDate', 'sinceInception'] as const;
const INDEX_PAGE_SIZE = 100;

const areaName = (ctx: PageContext, area: string) => (AREA_NAMES as Record<string, { zh: string; en: string }>)[area]?.[ctx.lang] ?? area;
const instName = (ctx: PageContext, r: { nameZh: string; nameEn: string }) => (ctx.lang === 'zh' ? r.nameZh : r.nameEn);
const horizonLabel = (ctx: PageContext, key: (typeof HORIZON_KEYS)[number]) =>
  key === 'quarter' ? ctx.t.horizonQuarter : key === 'yearToDate' ? ctx.t.horizonYtd : ctx.t.horizonSince;

/** The four figures of a scope as the page shows them, each cell labelled for the stacked (phone) layout. */
function figureCells(ctx: PageContext, f: Figures | undefined, prefix = ''): Html {
  const { t, lang } = ctx;
  const label = (word: string) => (prefix ? `${prefix} · ${word}` : word);
  const cell = (word: string, shown: Html | string) => html`<td class="num" data-label="${label(word)}">${shown}</td>`;
  if (!f) return html`${[t.figProjects, t.figLoanAmount, t.figRate, t.figReduction].map((w) => cell(w, '—'))}`;
  return html`${cell(t.figProjects, formatDecimal(lang, f.projects, 0))}${cell(
    t.figLoanAmount,
    figure(formatWanYuan(lang, f.loanAmountWanYuan), f.loanAmountWanYuan, lang === 'zh' ? '万元' : '× 10,000 yuan'),
  )}${cell(t.figRate, formatRate(f.weightedAverageRatePercent))}${cell(
    t.figReduction,
    figure(formatTonnes(lang, f.annualReductionTonnes), f.annualReductionTonnes, 'tCO2e'),
  )}`;
}
/** Column headings: plain, and of figures (class "num"). */
const colHeads = (headings: string[]) => headings.map((h) => html`<th scope="col">${h}</th>`);
const numHeads = (headings: string[]) => headings.map((h) => html`<th scope="col" class="num">${h}</th>`);
const figureHeads = ({ t }: PageContext) => html`${numHeads([t.figProjects, t.figLoanAmount, t.figRate, t.figReduction])}`;
/** The badge of an imported statement (after a space), or nothing. */
const importedBadge = ({ t }: PageContext, imported: boolean) =>
  imported ? html` <span class="badge imported">${t.importedBadge}</span>` : '';
const FIGURE_COLUMNS = ['projects', 'loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'];
const EXACT_COLUMNS = ['loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'];
const METHOD_COLUMNS = ['feasibility_study', 'environmental_impact_assessment', 'third_party_assessment'];
const figureCsv = (f: Figures | undefined) =>
  f ? [f.projects, f.loanAmountWanYuan, f.weightedAverageRatePercent, f.annualReductionTonnes] : [null, null, null, null];

/** What the figures mean: from when "since first support" counts, how a reduction is attributed, the LPR of reference. */
const figureNotes = ({ t }: PageContext, notes: ('since' | 'reduction' | 'rate' | 'checks' | 'units')[]) =>
  html`<ul class="figure-notes">${notes.map(
    (n) =>
      html`<li>${
        { since: t.figNoteSince, reduction: t.figNoteReduction, rate: t.figNoteRate, checks: t.figNoteChecks, units: t.figNoteUnits }[n]
      }</li>`,
  )}</ul>`;

/**
 * The figures of several disclosures added up exactly (integers of cents), with the rate weighted by
 * loan amount over the rows that have a rate: the line under a filtered list.
 */
function sumFigures(rows: Figures[]): Figures {
  const cents = (v: string) => {
    const [i, f = ''] = v.split('.');
    return BigInt(i + (f + '00').slice(0, 2));
  };
  const decimal = (c: bigint) => {
    const neg = c < 0n;
    const a = neg ? -c : c;
    return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
  };
  let amount = 0n;
  let reduction = 0n;
  let projects = 0;
  let weighted = 0n; // rate in 1/10,000 % × amount in cents
  let rated = 0n;
  for (const f of rows) {
    const a = cents(f.loanAmountWanYuan);
    amount += a;
    reduction += cents(f.annualReductionTonnes);
    projects += f.projects;
    if (f.weightedAverageRatePercent !== null) {
      const [ri, rf = ''] = f.weightedAverageRatePercent.split('.');
      weighted += BigInt(ri + (rf + '0000').slice(0, 4)) * a;
      rated += a;
    }
  }
  let rate: string | null = null;
  if (rated > 0n) {
    const hundredths = (weighted * 2n + rated * 100n) / (rated * 200n); // rate in 1/100 %, half up
    rate = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`;
  }
  return { projects, loanAmountWanYuan: decimal(amount), weightedAverageRatePercent: rate, annualReductionTonnes: decimal(reduction) };
}

function horizonsTable(ctx: PageContext, horizons: Horizons, caption: string): Html {
  const row = (k: (typeof HORIZON_KEYS)[number]) =>
    html`<tr><th scope="row">${horizonLabel(ctx, k)}</th>${figureCells(ctx, horizons[k])}</tr>`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table class="stack"><caption>${caption}</caption>
<thead><tr><th scope="col">${ctx.t.quarter}</th>${figureHeads(ctx)}</tr></thead>
<tbody>${HORIZON_KEYS.map((k) => row(k))}</tbody></table></div>`;
}

function downloadLinks(ctx: PageContext, base: string, query = ''): Html {
  const { t } = ctx;
  const link = (href: string, label: string) => html`<a href="${href}" download>${label}</a>`;
  return html`<p class="downloads">${link(`${base}.csv${query}`, t.downloadCsv)}${link(`${base}.json${query}`, t.downloadJson)}</p>`;
}

/** a restatement shows on the public pages at most this long after publication */
export const PUBLISHED_CACHE_TTL_MS = 5_000;

export function publicPages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;
  const publishedCache = new PublishedCache<Awaited<ReturnType<typeof findPublished>>>(PUBLISHED_CACHE_TTL_MS);
  const renderedBodies = new Map<string, { d: unknown; body: ReturnType<typeof disclosureBody> }>();

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

  // ---- disclosure index
  router.get(['/disclosures', '/disclosures.csv', '/disclosures.json'], async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim().slice(0, 100) : '');
    const quarter = isQuarter(q('quarter')) ? q('quarter') : '';
    const institution = /^[A-Z0-9_-]{2,32}$/.test(q('institution')) ? q('institution') : '';
    const area = q('area') in AREA_NAMES ? q('area') : '';
    const search = q('q');
    const cursor = /^(\d{4}Q[1-4])\|([A-Z0-9_-]{2,32})$/.exec(q('after'));
    const format = req.path.endsWith('.csv') ? 'csv' : req.path.endsWith('.json') ? 'json' : 'html';
    const limit = format === 'html' ? INDEX_PAGE_SIZE : 1000;
    const rows = await listPublished(db, {
      quarter: quarter || undefined,
      institution: institution || undefined,
      area: area || undefined,
      search: search || undefined,
      after: cursor ? { quarter: cursor[1], code: cursor[2] } : undefined,
      limit: limit + 1,
    });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = more && last ? `${last.quarter}|${last.institutionCode}` : null;
    if (format === 'json') return sendJsonDownload(res, 'cerf-disclosures.json', { items: page.map(summaryJson), nextCursor });
    if (format === 'csv') return sendCsv(res, 'cerf-disclosures.csv', summaryCsv(page));
    const filterQuery = new URLSearchParams(Object.entries({ quarter, institution, area, q: search }).filter(([, v]) => v)).toString();
    const { quarters, institutions: insts } = await publishedFilterOptions(db);
    const timeliness = await timelinessMap(db, shanghaiDate(deps.now()), { quarters: [...new Set(page.map((r) => r.quarter))] });
    const option = (value: string, label: string, selected: string) =>
      html`<option value="${value}" ${value === selected ? html`selected` : ''}>${label}</option>`;
    // an applied value the options lack (no published disclosure for it) is still shown as applied
    const quarterList = quarter && !quarters.includes(quarter) ? [quarter, ...quarters] : quarters;
    const instList =
      institution && !insts.some((r) => r.institutionCode === institution)
        ? [{ institutionCode: institution, nameZh: institution, nameEn: institution }, ...insts]
        : insts;
    const quarterOptions = [option('', t.all, quarter), ...quarterList.map((v) => option(v, v, quarter))];
    const instOption = (r: (typeof insts)[number]) => option(r.institutionCode, instName(ctx, r), institution);
    const institutionOptions = [option('', t.all, institution), ...instList.map(instOption)];
    const areaOptions = [option('', t.all, area), ...(Object.keys(AREA_NAMES) as Area[]).map((a) => option(a, areaName(ctx, a), area))];
    const after = filterQuery ? `${filterQuery}&` : '';
    const applied = [
      search ? `${t.searchLabel}: “${search}”` : '',
      quarter ? `${t.quarter}: ${quarter}` : '',
      institution
        ? `${t.institution}: ${
            instList.find((r) => r.institutionCode === institution)
              ? instName(
                  ctx,
                  instList.find((r) => r.institutionCode === institution)!,
                )
              : institution
          }`
        : '',
      area ? `${t.area}: ${areaName(ctx, area)}` : '',
    ].filter(Boolean);
    const nextLink = nextCursor ? html`<p><a href="/disclosures?${after}after=${encodeURIComponent(nextCursor)}">→</a></p>` : '';
    const body = html`<h1>${t.disclosuresHeading}</h1>
<form method="get" action="/disclosures" class="filters" role="search">
  <div><label for="f-q">${t.searchLabel}</label><input id="f-q" name="q" type="search" value="${search}" maxlength="100"></div>
  <div><label for="f-quarter">${t.quarter}</label><select id="f-quarter" name="quarter">${quarterOptions}</select></div>
  <div><label for="f-institution">${t.institution}</label><select id="f-institution" name="institution">${institutionOptions}</select></div>
  <div><label for="f-area">${t.area}</label><select id="f-area" name="area">${areaOptions}</select></div>
  <button type="submit">${t.filter}</button>
</form>
${applied.length ? html`<p class="applied" role="status">${t.filtersApplied}: ${applied.join(' · ')}</p>` : ''}
${page.length ? summaryTable(ctx, page, t.disclosuresHeading, { area: area || undefined, totals: true, more, timeliness }) : html`<p>${t.noResults}</p>`}
${figureNotes(ctx, area ? ['reduction', 'rate', 'units'] : ['reduction', 'rate', 'units'])}
${nextLink}
${downloadLinks(ctx, '/disclosures', filterQuery ? `?${filterQuery}` : '')}`;
    sendPage(res, ctx, t.disclosuresHeading, body);
  });

  // ---- one disclosure
  router.get('/disclosures/:code/:quarter', async (req, res) => {
    const ctx = pageOf(res);
    const { name: quarter, format } = splitFormat(String(req.params.quarter));
    const code = String(req.params.code).toUpperCase();
    if (!isQuarter(quarter)) return pageNotFound(req, res);
    const d = await publishedCache.get(`${code}/${quarter}`, () => findPublished(db, code, quarter));
    if (!d) return pageNotFound(req, res);
    if (format === 'json') return sendJsonDownload(res, `cerf-${code}-${quarter}.json`, disclosureJson(d));
    if (format === 'csv') return sendCsv(res, `cerf-${code}-${quarter}.csv`, disclosureCsv(d));
    // the body depends only on the disclosure and the language: render it once per cached disclosure
    const bodyKey = `${ctx.lang}/${code}/${quarter}`;
    let rendered = renderedBodies.get(bodyKey);
    if (!rendered || rendered.d !== d) {
      rendered = { d, body: disclosureBody(ctx, d) };
      if (renderedBodies.size >= 10_000) renderedBodies.clear();
      renderedBodies.set(bodyKey, rendered);
    }
    sendPage(res, ctx, `${instName(ctx, d)} ${quarter}`, rendered.body);
  });

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
    const points = (pick: (f: Figures) => string | null) =>
      span.map((q) => {
        const r = byQuarter.get(q);
        return { label: q, value: r ? pick({ ...r.horizons.quarter, ...r.horizons.quarter.exact }) : null };
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

/**
 * Disclosures one per row (each row a card on phones). With an area, the figures are that area's;
 * with `totals`, a last row adds up the rows shown.
 */
function summaryTable(
  ctx: PageContext,
  rows: PublishedSummary[],
  caption: string,
  options: { area?: string; totals?: boolean; more?: boolean; timeliness?: Map<string, Timeliness> } = {},
): Html {
  const { t } = ctx;
  const heads = html`${colHeads([t.institution, t.quarter])}${figureHeads(ctx)}${colHeads([t.version])}${options.timeliness ? colHeads([t.timeliness]) : ''}`;
  const restated = (r: PublishedSummary) => (r.restatesVersion ? html` <span class="badge restatement">${t.restatement}</span>` : '');
  const figuresOf = (r: PublishedSummary) => (options.area ? r.byArea.find((a) => a.area === options.area)?.quarter : r.horizons.quarter);
  const scope = options.area ? `${t.horizonQuarter} · ${areaName(ctx, options.area)}` : t.horizonQuarter;
  const sum = options.totals && rows.length > 1 ? sumFigures(rows.map(figuresOf).filter((f): f is Figures => Boolean(f))) : null;
  const totalLabel = fill(options.more ? t.totalsRowPage : t.totalsRow, { n: rows.length });
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table class="stack summary"><caption>${caption} (${scope})</caption>
<thead><tr>${heads}</tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><th scope="row"><a href="/institutions/${r.institutionCode}">${instName(ctx, r)}</a></th>
<td data-label="${t.quarter}"><a href="/disclosures/${r.institutionCode}/${r.quarter}">${r.quarter}</a></td>${figureCells(ctx, figuresOf(r))}
<td data-label="${t.version}">${r.version}${restated(r)}${importedBadge(ctx, r.imported)}</td>${
      options.timeliness ? timelinessCell(ctx, options.timeliness.get(`${r.institutionCode}/${r.quarter}`)) : ''
    }</tr>`,
  )}</tbody>${
    sum
      ? html`<tfoot><tr class="total"><th scope="row" colspan="2">${totalLabel}</th>${figureCells(ctx, sum)}<td></td>${options.timeliness ? html`<td></td>` : ''}</tr></tfoot>`
      : ''
  }</table></div>${sum ? html`<p class="hint">${t.totalsRowNote}</p>` : ''}`;
}

/** Every quarter from `first` to `last`, in order. */
function quarterSpan(first: string, last: string): string[] {
  const out: string[] = [];
  let { year, q } = quarterBounds(first);
  for (let guard = 0; guard < 400; guard++) {
    const name = `${year}Q${q}`;
    out.push(name);
    if (name >= last) break;
    q += 1;
    if (q > 4) [year, q] = [year + 1, 1];
  }
  return out;
}

/** A disclosure's page body; `base` is where its downloads are (a version-addressed page links its own). */
export function disclosureBody(ctx: PageContext, d: PublishedDisclosure, base = `/disclosures/${d.institutionCode}/${d.quarter}`): Html {
  const { t } = ctx;
  const statement = d.content.statement ?? fallbackStatement(d);
  const lines = statement[ctx.lang].split('\n').filter(Boolean);
  const byArea = d.content.byArea ?? [];
  const top = d.content.topProjects ?? [];
  const v = d.verification;
  const verdictWord = (verdict: string | null) =>
    verdict === 'verified' ? t.verdictVerified : verdict === 'rejected' ? t.verdictRejected : t.statusUnderVerification;
  const restates = d.restatesVersion ? html` <span class="badge restatement">${fill(t.restates, { v: d.restatesVersion })}</span>` : '';
  const bankLink = html`<a href="/institutions/${d.institutionCode}">${instName(ctx, d)}</a>`;
  const statementLines = lines.map((line, i) => (i === 0 ? html`<p><strong>${line}</strong></p>` : html`<p>${line}</p>`));
  const figures = horizonsTable(ctx, d.horizons, `${instName(ctx, d)} ${d.quarter}`);
  const groupHeads = HORIZON_KEYS.map((k) => html`<th scope="colgroup" colspan="4">${horizonLabel(ctx, k)}</th>`);
  const areaRows = byArea.map(
    (a) =>
      html`<tr><th scope="row">${areaName(ctx, a.area)}</th>${HORIZON_KEYS.map((k) => figureCells(ctx, a[k], horizonLabel(ctx, k)))}</tr>`,
  );
  const topItem = (p: (typeof top)[number]) =>
    html`<li>${p.name}${p.annualReductionTonnes ? html` — ${formatTonnes(ctx.lang, p.annualReductionTonnes)}` : ''}</li>`;
  const verifierName = ctx.lang === 'zh' ? v?.verifierNameZh : v?.verifierNameEn;
  const verdictNote = v?.summary ? html`<br>${v.summary}` : '';
  const historyRows = d.history.map((h) => {
    const label = html`${h.version}${h.current ? html` (${t.current})` : ''}${importedBadge(ctx, h.imported)}`;
    const restated = h.restatesVersion ? html`<span class="badge restatement">${fill(t.restates, { v: h.restatesVersion })}</span>` : '—';
    const sha = html`<code>${h.contentSha256.slice(0, 16)}…</code>`;
    return html`<tr><th scope="row">${label}</th>${cells([h.publishedOn ?? '—', restated, sha])}</tr>`;
  });
  return html`<h1>${instName(ctx, d)} · ${d.quarter}</h1>
<p>${t.version} ${d.version}${restates}${importedBadge(ctx, d.imported)} · ${t.publishedOn} ${d.publishedOn ?? '—'} · ${bankLink}</p>
${d.content.imported ? importedNote(ctx, d.content.imported) : ''}
${restatementSection(ctx, d)}
<section aria-labelledby="h-statement"><h2 id="h-statement">${t.statementHeading}</h2>
<div class="statement">${statementLines}</div></section>
<section aria-labelledby="h-figures"><h2 id="h-figures">${t.figuresAcrossQuarters}</h2>${figures}
${figureNotes(ctx, ['since', 'reduction', 'rate', 'units'])}</section>
${methodsSection(ctx, d.horizons)}
<section aria-labelledby="h-area"><h2 id="h-area">${t.byAreaHeading}</h2>
<div class="table-wrap" role="region" aria-labelledby="h-area" tabindex="0"><table class="stack by-area"><caption>${t.byAreaHeading}</caption>
<thead><tr><th scope="col" rowspan="2">${t.area}</th>${groupHeads}</tr>
<tr>${HORIZON_KEYS.map(() => figureHeads(ctx))}</tr></thead>
<tbody>${areaRows}</tbody></table></div></section>
<section aria-labelledby="h-top"><h2 id="h-top">${t.topProjectsHeading}</h2>
${top.length ? html`<ol>${top.map(topItem)}</ol>` : html`<p>${t.noTopProjects}</p>`}${namedProjectsNote(ctx, d.content.namedProjects)}</section>
<section aria-labelledby="h-verification"><h2 id="h-verification">${t.verificationHeading}</h2>
${
  v
    ? html`<dl class="cards"><div class="card"><dt>${t.verifier}</dt><dd>${verifierName}</dd></div>
<div class="card"><dt>${t.verifiedOn}</dt><dd>${v.completedOn ?? '—'}</dd></div>
<div class="card"><dt>${t.verdict}</dt><dd>${verdictWord(v.verdict)}</dd></div>
<div class="card"><dt>${t.findingsSummary}</dt><dd>${fill(t.checksCounts, { passed: v.checksPassed, failed: v.checksFailed })}${verdictNote}</dd></div></dl>
${figureNotes(ctx, ['checks'])}`
    : html`<p>${t.noVerification}</p>`
}</section>
<section aria-labelledby="h-history"><h2 id="h-history">${t.historyHeading}</h2>
<div class="table-wrap" role="region" aria-labelledby="h-history" tabindex="0"><table class="history"><caption>${t.historyHeading}</caption>${headRow([t.version, t.publishedOn, t.restatement, 'SHA-256'])}
<tbody>${historyRows}</tbody></table></div></section>
${downloadLinks(ctx, base)}`;
}

/** An imported statement: published by the bank before it moved onto the system, with its source. */
function importedNote(ctx: PageContext, imported: NonNullable<PublishedDisclosure['content']['imported']>): Html {
  const { t } = ctx;
  const { url, title, sha256 } = imported.source;
  const source = url ? html`<a href="${url}" rel="nofollow noopener">${title ?? url}</a>` : (title ?? '—');
  const hash = sha256 ? html`<br><code>SHA-256 ${sha256}</code>` : '';
  return html`<p class="note imported-note">${t.importedNote}</p>
<dl class="cards"><div class="card"><dt>${t.importedPublishedOn}</dt><dd>${imported.publishedOn}</dd></div>
<div class="card"><dt>${t.importedSource}</dt><dd>${source}${hash}</dd></div></dl>`;
}

function fallbackStatement(d: PublishedDisclosure) {
  const { year, q } = quarterBounds(d.quarter);
  const blank = (f: Figures) => ({ ...f, weightedAverageRatePercent: f.weightedAverageRatePercent });
  return renderStatement({
    bank: { nameZh: d.nameZh, nameEn: d.nameEn },
    year,
    q,
    horizons: {
      quarter: blank(d.horizons.quarter),
      yearToDate: blank(d.horizons.yearToDate),
      sinceInception: blank(d.horizons.sinceInception),
    },
    areas: (d.content.byArea ?? []).map((a) => a.area).filter((a): a is Area => a in AREA_NAMES),
    namedProjects: (d.content.topProjects ?? []).map((p) => p.name),
    restatesVersion: d.restatesVersion,
  });
}

const summaryJson = (r: PublishedSummary) => ({
  institution: { code: r.institutionCode, nameZh: r.nameZh, nameEn: r.nameEn },
  quarter: r.quarter,
  version: r.version,
  publishedOn: r.publishedOn,
  restatesVersion: r.restatesVersion,
  horizons: r.horizons,
});

function summaryCsv(rows: PublishedSummary[]): Csv {
  const columns = ['institutionCode', 'nameZh', 'nameEn', 'quarter', 'version', 'publishedOn', 'restatesVersion'];
  for (const h of HORIZON_KEYS) for (const c of FIGURE_COLUMNS) columns.push(`${h}.${c}`);
  return {
    columns,
    rows: rows.map((r) => [
      r.institutionCode,
      r.nameZh,
      r.nameEn,
      r.quarter,
      r.version,
      r.publishedOn,
      r.restatesVersion,
      ...HORIZON_KEYS.flatMap((h) => figureCsv(r.horizons[h])),
    ]),
  };
}

function disclosureJson(d: PublishedDisclosure) {
  return {
    institution: { code: d.institutionCode, nameZh: d.nameZh, nameEn: d.nameEn },
    quarter: d.quarter,
    version: d.version,
    status: 'published',
    publishedOn: d.publishedOn,
    restatesVersion: d.restatesVersion,
    horizons: d.horizons,
    byArea: d.content.byArea ?? [],
    topProjects: d.content.topProjects ?? [],
    statement: d.content.statement ?? fallbackStatement(d),
    verification: d.verification,
    history: d.history,
    contentSha256: d.contentSha256,
    imported: d.content.imported ?? null,
    namedProjects: d.content.namedProjects ?? [],
    format: d.content.format ?? null,
    loanSet: d.content.loanSet ?? null,
    changeReason: d.changeReason,
    // the loan list is not public: the download counts the loans' changes
    difference: d.difference && {
      ...d.difference,
      loans: d.difference.loans && {
        added: d.difference.loans.filter((l) => l.change === 'added').length,
        removed: d.difference.loans.filter((l) => l.change === 'removed').length,
        changed: d.difference.loans.filter((l) => l.change === 'changed').length,
      },
    },
  };
}

/** One row per (scope, horizon): the totals and each area, with the four figures. */
function disclosureCsv(d: PublishedDisclosure): Csv {
  const rows: Csv['rows'] = [];
  const base = [d.institutionCode, d.quarter, d.version];
  const beside = (f: Figures | undefined) => {
    const x = f as (Figures & { exact?: Record<string, string | null>; reductionMethods?: Record<string, string> | null }) | undefined;
    return [...EXACT_COLUMNS.map((c) => x?.exact?.[c] ?? null), ...METHOD_COLUMNS.map((m) => x?.reductionMethods?.[m] ?? null)];
  };
  for (const h of HORIZON_KEYS) rows.push([...base, 'total', h, ...figureCsv(d.horizons[h]), ...beside(d.horizons[h])]);
  for (const a of d.content.byArea ?? [])
    for (const h of HORIZON_KEYS) rows.push([...base, a.area, h, ...figureCsv(a[h]), ...beside(a[h])]);
  return {
    columns: [
      'institutionCode',
      'quarter',
      'version',
      'scope',
      'horizon',
      ...FIGURE_COLUMNS,
      ...EXACT_COLUMNS.map((c) => `exact.${c}`),
      ...METHOD_COLUMNS.map((m) => `reductionMethods.${m}`),
    ],
    rows,
  };
}
