/** What the public pages share (public*.ts): names, figure cells and headings, the summary table, notes and downloads. */
import { quarterBounds } from '../../domain/dates.js';
import { AREA_NAMES } from '../../domain/policy/index.js';
import { type PageContext } from './context.js';
import { type Figures, type Horizons, type PublishedSummary } from '../../db/read-models/published.js';
import type { Csv } from '../../platform/csv.js';
import { html, type Html } from './html.js';
import { figure, formatDecimal, formatRate, formatTonnes, formatWanYuan } from './figures.js';
import { fill } from './i18n.js';
import { timelinessCell } from './timeliness.js';
import type { Timeliness } from '../../domain/disclosures/timeliness.js';

export const HORIZON_KEYS = ['quarter', 'yearToDate', 'sinceInception'] as const;
export const INDEX_PAGE_SIZE = 100;

export const areaName = (ctx: PageContext, area: string) =>
  (AREA_NAMES as Record<string, { zh: string; en: string }>)[area]?.[ctx.lang] ?? area;
export const instName = (ctx: PageContext, r: { nameZh: string; nameEn: string }) => (ctx.lang === 'zh' ? r.nameZh : r.nameEn);
export const horizonLabel = (ctx: PageContext, key: (typeof HORIZON_KEYS)[number]) =>
  key === 'quarter' ? ctx.t.horizonQuarter : key === 'yearToDate' ? ctx.t.horizonYtd : ctx.t.horizonSince;

/** The four figures of a scope as the page shows them, each cell labelled for the stacked (phone) layout. */
export function figureCells(ctx: PageContext, f: Figures | undefined, prefix = ''): Html {
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
export const colHeads = (headings: string[]) => headings.map((h) => html`<th scope="col">${h}</th>`);
export const numHeads = (headings: string[]) => headings.map((h) => html`<th scope="col" class="num">${h}</th>`);
export const figureHeads = ({ t }: PageContext) => html`${numHeads([t.figProjects, t.figLoanAmount, t.figRate, t.figReduction])}`;
/** The badge of an imported statement (after a space), or nothing. */
export const importedBadge = ({ t }: PageContext, imported: boolean) =>
  imported ? html` <span class="badge imported">${t.importedBadge}</span>` : '';
export const FIGURE_COLUMNS = ['projects', 'loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'];
export const EXACT_COLUMNS = ['loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'];
export const METHOD_COLUMNS = ['feasibility_study', 'environmental_impact_assessment', 'third_party_assessment'];
export const figureCsv = (f: Figures | undefined) =>
  f ? [f.projects, f.loanAmountWanYuan, f.weightedAverageRatePercent, f.annualReductionTonnes] : [null, null, null, null];

/** What the figures mean: from when "since first support" counts, how a reduction is attributed, the LPR of reference. */
export const figureNotes = ({ t }: PageContext, notes: ('since' | 'reduction' | 'rate' | 'checks' | 'units')[]) =>
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
export function sumFigures(rows: Figures[]): Figures {
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

export function horizonsTable(ctx: PageContext, horizons: Horizons, caption: string): Html {
  const row = (k: (typeof HORIZON_KEYS)[number]) =>
    html`<tr><th scope="row">${horizonLabel(ctx, k)}</th>${figureCells(ctx, horizons[k])}</tr>`;
  return html`<div class="table-wrap" role="region" aria-label="${caption}" tabindex="0"><table class="stack"><caption>${caption}</caption>
<thead><tr><th scope="col">${ctx.t.quarter}</th>${figureHeads(ctx)}</tr></thead>
<tbody>${HORIZON_KEYS.map((k) => row(k))}</tbody></table></div>`;
}

export function downloadLinks(ctx: PageContext, base: string, query = ''): Html {
  const { t } = ctx;
  const link = (href: string, label: string) => html`<a href="${href}" download>${label}</a>`;
  return html`<p class="downloads">${link(`${base}.csv${query}`, t.downloadCsv)}${link(`${base}.json${query}`, t.downloadJson)}</p>`;
}

/**
 * Disclosures one per row (each row a card on phones). With an area, the figures are that area's;
 * with `totals`, a last row adds up the rows shown when they are of one quarter (a sum across quarters
 * means nothing: the page says to choose a quarter instead).
 */
export function summaryTable(
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
  const oneQuarter = new Set(rows.map((r) => r.quarter)).size === 1;
  const sum =
    options.totals && rows.length > 1 && oneQuarter ? sumFigures(rows.map(figuresOf).filter((f): f is Figures => Boolean(f))) : null;
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
  }</table></div>${sum ? html`<p class="hint">${t.totalsRowNote}</p>` : ''}${
    options.totals && !oneQuarter ? html`<p class="hint no-total">${t.totalsOneQuarterOnly}</p>` : ''
  }`;
}

/** Every quarter from `first` to `last`, in order. */
export function quarterSpan(first: string, last: string): string[] {
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

export const summaryJson = (r: PublishedSummary) => ({
  institution: { code: r.institutionCode, nameZh: r.nameZh, nameEn: r.nameEn },
  quarter: r.quarter,
  version: r.version,
  publishedOn: r.publishedOn,
  restatesVersion: r.restatesVersion,
  horizons: r.horizons,
});

export function summaryCsv(rows: PublishedSummary[]): Csv {
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
