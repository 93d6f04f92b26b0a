/**
 * A bank's already published statement, imported as figures: the content of the published version it
 * becomes (marked `imported`, with its source), and its reconciliation with the figures compiled from
 * the loan-level records, figure by figure. Pure: no database, no clock.
 *
 * Published figures keep the precision the bank published (real statements show integers, one, two
 * or four decimals). A figure agrees with its compiled counterpart when both, rounded half up to the
 * fewer decimals of the two, are equal; the difference shown is exact (compiled − imported).
 */
import { quarterBounds, type IsoDate } from '../dates.js';
import { divRound, formatScaled, type RoundingMode } from '../money.js';
import { AREA_NAMES, type Area } from '../policy/index.js';
import { sha256OfCanonical } from './canonical.js';
import { HORIZONS, type DisclosureContent, type Horizon } from './compile.js';
import type { HorizonFigures } from './figures.js';
import { renderStatement } from './statement.js';

export type StatementSource = { url?: string; title?: string; sha256?: string };

export type PublishedStatement = {
  publishedOn: IsoDate;
  source: StatementSource;
  horizons: Record<Horizon, HorizonFigures>;
  byArea: ({ area: Area } & Record<Horizon, HorizonFigures>)[];
};

/** What marks a version as imported: when and where the bank published it, and the statement's own hash. */
export type ImportedMark = { publishedOn: IsoDate; source: StatementSource; statementSha256: string };

export type ImportedContent = DisclosureContent & { imported: ImportedMark };

export const isImported = (content: unknown): content is ImportedContent =>
  typeof content === 'object' && content !== null && typeof (content as { imported?: unknown }).imported === 'object';

/** The SHA-256 of the statement as submitted (canonical JSON): the same statement again is the same hash. */
export const statementSha256 = (s: PublishedStatement) =>
  sha256OfCanonical({ publishedOn: s.publishedOn, source: s.source, horizons: s.horizons, byArea: s.byArea });

const AREA_ORDER = Object.keys(AREA_NAMES) as Area[];

/** The content of the published version an imported statement becomes. */
export function importedContent(input: {
  institution: { code: string; nameZh: string; nameEn: string };
  quarter: string;
  version: number;
  previousVersion: number | null;
  restatesVersion: number | null;
  rounding: RoundingMode;
  statement: PublishedStatement;
}): ImportedContent {
  const { start, end, year, q } = quarterBounds(input.quarter);
  const s = input.statement;
  const byArea = [...s.byArea]
    .sort((a, b) => AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area))
    .map((a) => ({ area: a.area, nameZh: AREA_NAMES[a.area].zh, nameEn: AREA_NAMES[a.area].en, ...pickHorizons(a) }));
  const areas = byArea.filter((a) => a.sinceInception.projects > 0).map((a) => a.area);
  return {
    institution: input.institution,
    quarter: input.quarter,
    version: input.version,
    period: { start, end, yearStart: `${year}-01-01` },
    horizons: pickHorizons(s.horizons),
    byArea,
    topProjects: [],
    statement: renderStatement({
      bank: input.institution,
      year,
      q,
      horizons: pickHorizons(s.horizons),
      areas,
      namedProjects: [],
      restatesVersion: input.restatesVersion,
    }),
    basis: {
      countedLoans: `imported: the figures the bank published on ${s.publishedOn}, not compiled from loan-level records`,
      rounding: input.rounding,
      loans: 0,
    },
    previousVersion: input.previousVersion,
    restatesVersion: input.restatesVersion,
    imported: { publishedOn: s.publishedOn, source: s.source, statementSha256: statementSha256(s) },
  };
}

const pickHorizons = (h: Record<Horizon, HorizonFigures>): Record<Horizon, HorizonFigures> => ({
  quarter: h.quarter,
  yearToDate: h.yearToDate,
  sinceInception: h.sinceInception,
});

// ---------------------------------------------------------------- reconciliation

export const FIGURES = ['projects', 'loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'] as const;
export type Figure = (typeof FIGURES)[number];

export type ReconciliationRow = {
  scope: 'total' | Area;
  horizon: Horizon;
  figure: Figure;
  imported: string | null;
  compiled: string | null;
  difference: string | null;
  agrees: boolean;
};

/** A plain decimal as (units, decimals); null for null. */
function decimal(text: string | null): { units: bigint; scale: number } | null {
  if (text === null) return null;
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  const units = BigInt(m[2] + frac);
  return { units: m[1] ? -units : units, scale: frac.length };
}

const rescale = (d: { units: bigint; scale: number }, scale: number) =>
  scale >= d.scale ? d.units * 10n ** BigInt(scale - d.scale) : divRound(d.units, 10n ** BigInt(d.scale - scale), 'half_up');

/** Compares one figure: the exact difference (compiled − imported) and whether they agree at the coarser precision. */
export function compareFigure(imported: string | null, compiled: string | null): { difference: string | null; agrees: boolean } {
  const a = decimal(imported);
  const b = decimal(compiled);
  if (!a || !b) return { difference: null, agrees: a === null && b === null };
  const fine = Math.max(a.scale, b.scale);
  const coarse = Math.min(a.scale, b.scale);
  return { difference: formatScaled(rescale(b, fine) - rescale(a, fine), fine), agrees: rescale(a, coarse) === rescale(b, coarse) };
}

const text = (h: HorizonFigures | undefined, f: Figure): string | null =>
  h === undefined ? (f === 'weightedAverageRatePercent' ? null : '0') : f === 'projects' ? String(h.projects) : h[f];

/**
 * Imported against compiled, figure by figure: the three horizons' totals, then every area either
 * side names (when the imported statement has by-area rows), in the taxonomy's order.
 */
export function reconcile(imported: DisclosureContent, compiled: DisclosureContent): ReconciliationRow[] {
  const rows: ReconciliationRow[] = [];
  const push = (scope: 'total' | Area, i: Record<Horizon, HorizonFigures> | undefined, c: Record<Horizon, HorizonFigures> | undefined) => {
    for (const horizon of HORIZONS)
      for (const figure of FIGURES) {
        const a = text(i?.[horizon], figure);
        const b = text(c?.[horizon], figure);
        rows.push({ scope, horizon, figure, imported: a, compiled: b, ...compareFigure(a, b) });
      }
  };
  push('total', imported.horizons, compiled.horizons);
  if (imported.byArea.length) {
    const areas = AREA_ORDER.filter((a) => imported.byArea.some((r) => r.area === a) || compiled.byArea.some((r) => r.area === a));
    for (const area of areas)
      push(
        area,
        imported.byArea.find((r) => r.area === area),
        compiled.byArea.find((r) => r.area === area),
      );
  }
  return rows;
}
