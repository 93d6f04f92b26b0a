/**
 * A bank's already published statement, imported as figures: the content of the published version it
 * becomes (marked `imported`, with its source), and its reconciliation with the figures compiled from
 * the loan-level records, figure by figure. Pure: no database, no clock.
 *
 * Published figures are kept as the bank printed them (real statements show integers, one to four
 * decimals, thousands separators: "1,324,620.45", "1,084个项目"). A figure agrees with the records when
 * the records' exact figure, rounded half up to the decimals the bank published, equals the published
 * figure; the difference shown is exact (records − published).
 */
import { quarterBounds, type IsoDate } from '../dates.js';
import { divRound, formatScaled, type Fraction, type RoundingMode } from '../money.js';
import { AREA_NAMES, type Area } from '../policy/index.js';
import { sha256OfCanonical } from './canonical.js';
import { areaOf, HORIZONS, type DisclosureContent, type Horizon, type ProjectFraction, type SubAreaSums } from './compile.js';
import { addSums, EMPTY_SUMS, type HorizonSums, type HorizonFigures } from './figures.js';
import { DEFAULT_STATEMENT_FORMAT } from './format.js';
import { renderStatement } from './statement.js';

export type StatementSource = { url?: string; title?: string; sha256?: string };

/** A figure as a bank prints it: digits with or without thousands separators, an integer or 1–4 decimals. */
export const PUBLISHED_FIGURE = /^(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,4})?$/;
/** A rate as a bank prints it: a published figure, optionally followed by "%" (a stray space before it too). */
export const PUBLISHED_RATE = /^(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,4})?(?: ?%)?$/;
/** A project count as a bank prints it ("1,084"). */
export const PUBLISHED_COUNT = /^(?:\d{1,3}(?:,\d{3})+|\d{1,8})$/;

/** A published figure's value: integer units of 10^-scale and the scale (its decimals); null when not one. */
export function publishedValue(text: string): { units: bigint; scale: number } | null {
  if (!PUBLISHED_RATE.test(text)) return null;
  const plain = text.replace(/ ?%$/, '').replace(/,/g, '');
  const [int, frac = ''] = plain.split('.');
  return { units: BigInt(int + frac), scale: frac.length };
}

/** Figures as the request gives them: a project count may be the printed text ("1,084"). */
export type PublishedFiguresInput = Omit<HorizonFigures, 'projects'> & { projects: number | string };

/**
 * One horizon's figures as stored: the texts as published, the project count as a number beside its
 * printed text when the bank printed it with separators, a rate's "%" (and the space before it) kept in
 * `asPublished` while the figure holds the number (the statement prints its own "%").
 */
export function publishedFigures(input: PublishedFiguresInput): HorizonFigures {
  const asPublished: Record<string, string> = {};
  let projects: number;
  if (typeof input.projects === 'string') {
    projects = Number(input.projects.replace(/,/g, ''));
    if (input.projects !== String(projects)) asPublished.projects = input.projects;
  } else projects = input.projects;
  let rate = input.weightedAverageRatePercent;
  if (rate !== null && rate.endsWith('%')) {
    asPublished.weightedAverageRatePercent = rate;
    rate = rate.replace(/ ?%$/, '');
  }
  return {
    projects,
    loanAmountWanYuan: input.loanAmountWanYuan,
    weightedAverageRatePercent: rate,
    annualReductionTonnes: input.annualReductionTonnes,
    ...(Object.keys(asPublished).length ? { asPublished } : {}),
  };
}

/** The bank printed thousands separators somewhere in the statement. */
const printsSeparators = (s: { horizons: Record<Horizon, HorizonFigures>; byArea: Record<Horizon, HorizonFigures>[] }) =>
  [s.horizons, ...s.byArea].some((hs) =>
    HORIZONS.some((h) =>
      [hs[h].loanAmountWanYuan, hs[h].annualReductionTonnes, hs[h].weightedAverageRatePercent, hs[h].asPublished?.projects].some((t) =>
        t?.includes(','),
      ),
    ),
  );

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
      format: { ...DEFAULT_STATEMENT_FORMAT, thousandsSeparators: printsSeparators(s) },
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
  /** the figure as the bank published it */
  imported: string | null;
  /** the records' exact figure rounded half up to the published decimals (at least two; a count none) */
  compiled: string | null;
  /** records − published, exactly when its decimals end (else to DIFFERENCE_DECIMALS, with `differenceFraction`) */
  difference: string | null;
  /** the exact difference as a reduced fraction "p/q", only when its decimals never end */
  differenceFraction?: string;
  agrees: boolean;
};

/** The exact figures of the records for one horizon (and scope): each an exact fraction in the figure's unit. */
export type RecordsFigure = Record<Figure, Fraction | null>;

/** Decimals a non-terminating difference is shown to (its exact value is the fraction beside it). */
export const DIFFERENCE_DECIMALS = 12;

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

const reduce = (f: Fraction): Fraction => {
  const g = gcd(f.num, f.den);
  return g > 1n ? { num: f.num / g, den: f.den / g } : f;
};

/** Σ fractions exactly (terms on one denominator add without growing it). */
export function sumFractionsExact(terms: readonly Fraction[]): Fraction {
  const byDen = new Map<bigint, bigint>();
  for (const t of terms) byDen.set(t.den, (byDen.get(t.den) ?? 0n) + t.num);
  let acc: Fraction = { num: 0n, den: 1n };
  for (const [den, num] of byDen) acc = reduce({ num: acc.num * den + num * acc.den, den: acc.den * den });
  return acc;
}

/** The decimals a reduced fraction ends after, or null when they never end (its denominator has a factor but 2 and 5). */
function terminatingDecimals(den: bigint): number | null {
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) [den, twos] = [den / 2n, twos + 1];
  while (den % 5n === 0n) [den, fives] = [den / 5n, fives + 1];
  return den === 1n ? Math.max(twos, fives) : null;
}

/**
 * The exact figures of the records from the raw sums of a horizon and the exact reduction fractions of
 * its projects (centitonnes): projects, 万元 (fen ÷ 10^6), percent (Σ rate ppm × fen ÷ Σ fen ÷ 10^4;
 * null without principal) and tonnes (Σ fractions ÷ 100).
 */
export function recordsFigure(sums: HorizonSums, reductionCentitonnes: readonly Fraction[]): RecordsFigure {
  const reduction = sumFractionsExact(reductionCentitonnes);
  return {
    projects: { num: BigInt(sums.projects), den: 1n },
    loanAmountWanYuan: { num: sums.principalFen, den: 1_000_000n },
    weightedAverageRatePercent:
      sums.principalFen === 0n ? null : reduce({ num: sums.rateWeightedPpmFen, den: sums.principalFen * 10_000n }),
    annualReductionTonnes: reduce({ num: reduction.num, den: reduction.den * 100n }),
  };
}

export type RecordsFigures = { total: Record<Horizon, RecordsFigure>; byArea: Map<Area, Record<Horizon, RecordsFigure>> };

/** The records' exact figures, total and by area, from the sub-areas' sums and each horizon's project fractions. */
export function recordsFigures(subAreas: readonly SubAreaSums[], fractions: Record<Horizon, readonly ProjectFraction[]>): RecordsFigures {
  const of = (rows: readonly SubAreaSums[], keep: (subArea: string) => boolean) =>
    Object.fromEntries(
      HORIZONS.map((h) => [
        h,
        recordsFigure(
          rows.reduce((acc, r) => addSums(acc, r[h]), EMPTY_SUMS),
          fractions[h].filter((f) => keep(f.subArea)),
        ),
      ]),
    ) as Record<Horizon, RecordsFigure>;
  const areas = AREA_ORDER.filter((a) => subAreas.some((r) => areaOf(r.subArea) === a));
  return {
    total: of(subAreas, () => true),
    byArea: new Map(
      areas.map((a) => [
        a,
        of(
          subAreas.filter((r) => areaOf(r.subArea) === a),
          (sub) => areaOf(sub) === a,
        ),
      ]),
    ),
  };
}

/**
 * Compares one published figure with the records' exact figure: `agrees` when the exact figure rounded
 * half up to the published decimals equals the published figure; `difference` = exact − published.
 */
export function compareFigure(
  published: string | null,
  exact: Fraction | null,
  minDecimals: number,
): Pick<ReconciliationRow, 'compiled' | 'difference' | 'differenceFraction' | 'agrees'> {
  const p = published === null ? null : publishedValue(published);
  if (published !== null && !p) throw new Error(`not a published figure: ${published}`);
  const shown = Math.max(p?.scale ?? 0, minDecimals);
  const compiled = exact === null ? null : formatScaled(divRound(exact.num * 10n ** BigInt(shown), exact.den, 'half_up'), shown);
  if (!p || !exact) return { compiled, difference: null, agrees: p === null && exact === null };
  const agrees = divRound(exact.num * 10n ** BigInt(p.scale), exact.den, 'half_up') === p.units;
  const diff = reduce({ num: exact.num * 10n ** BigInt(p.scale) - p.units * exact.den, den: exact.den * 10n ** BigInt(p.scale) });
  const ends = terminatingDecimals(diff.den);
  if (ends !== null) {
    const decimals = Math.max(ends, shown);
    return { compiled, difference: formatScaled((diff.num * 10n ** BigInt(decimals)) / diff.den, decimals), agrees };
  }
  return {
    compiled,
    difference: formatScaled(divRound(diff.num * 10n ** BigInt(DIFFERENCE_DECIMALS), diff.den, 'half_up'), DIFFERENCE_DECIMALS),
    differenceFraction: `${diff.num}/${diff.den}`,
    agrees,
  };
}

/** The published text of a figure (a missing area: nothing published, so zero and no rate). */
const text = (h: HorizonFigures | undefined, f: Figure): string | null => {
  if (h === undefined) return f === 'weightedAverageRatePercent' ? null : '0';
  if (f === 'projects') return h.asPublished?.projects ?? String(h.projects);
  if (f === 'weightedAverageRatePercent') return h.asPublished?.weightedAverageRatePercent ?? h[f];
  return h[f];
};

const ZERO: RecordsFigure = {
  projects: { num: 0n, den: 1n },
  loanAmountWanYuan: { num: 0n, den: 1n },
  weightedAverageRatePercent: null,
  annualReductionTonnes: { num: 0n, den: 1n },
};

/**
 * Imported against the records' exact figures, figure by figure: the three horizons' totals, then every
 * area either side names (when the imported statement has by-area rows), in the taxonomy's order.
 */
export function reconcile(imported: DisclosureContent, records: RecordsFigures): ReconciliationRow[] {
  const rows: ReconciliationRow[] = [];
  const push = (scope: 'total' | Area, i: Record<Horizon, HorizonFigures> | undefined, r: Record<Horizon, RecordsFigure> | undefined) => {
    for (const horizon of HORIZONS)
      for (const figure of FIGURES) {
        const a = text(i?.[horizon], figure);
        const exact = (r?.[horizon] ?? ZERO)[figure];
        rows.push({ scope, horizon, figure, imported: a, ...compareFigure(a, exact, figure === 'projects' ? 0 : 2) });
      }
  };
  push('total', imported.horizons, records.total);
  if (imported.byArea.length) {
    const areas = AREA_ORDER.filter((a) => imported.byArea.some((r) => r.area === a) || records.byArea.has(a));
    for (const area of areas)
      push(
        area,
        imported.byArea.find((r) => r.area === area),
        records.byArea.get(area),
      );
  }
  return rows;
}
