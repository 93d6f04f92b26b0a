/**
 * Assembles a disclosure version's content from the raw sums of its counted loans (grouped by
 * sub-area, per horizon). Pure: the repository supplies the sums, and — only when a truncated sum
 * cannot be certified — the exact per-project fractions of the horizons that need them.
 */
import { quarterBounds, type IsoDate } from '../dates.js';
import { divRound, formatScaled, type RoundingMode } from '../money.js';
import { AREA_NAMES, subAreaAnyVersion, type Area } from '../policy/index.js';
import { addSums, certifyRounded, EMPTY_SUMS, presentHorizon, sumFractions, type HorizonFigures, type HorizonSums } from './figures.js';
import { renderStatement } from './statement.js';

export const HORIZONS = ['quarter', 'yearToDate', 'sinceInception'] as const;
export type Horizon = (typeof HORIZONS)[number];

export type SubAreaSums = { subArea: string } & Record<Horizon, HorizonSums>;
/** exact reduction of one project's counted loans in a horizon: Σ(reduction × principal) / total investment */
export type ProjectFraction = { subArea: string; num: bigint; den: bigint };
export type TopProjectSums = { ref: string; name: string; subArea: string; num: bigint; den: bigint };

export type DisclosureContent = {
  institution: { code: string; nameZh: string; nameEn: string };
  quarter: string;
  version: number;
  period: { start: IsoDate; end: IsoDate; yearStart: IsoDate };
  horizons: Record<Horizon, HorizonFigures>;
  byArea: ({ area: Area; nameZh: string; nameEn: string } & Record<Horizon, HorizonFigures>)[];
  topProjects: { ref: string; name: string; area: Area | null; annualReductionTonnes: string }[];
  statement: { zh: string; en: string };
  basis: { countedLoans: string; rounding: RoundingMode; loans: number };
  previousVersion: number | null;
  restatesVersion: number | null;
};

export type CompileInput = {
  institution: { code: string; nameZh: string; nameEn: string };
  quarter: string;
  version: number;
  previousVersion: number | null;
  restatesVersion: number | null;
  rounding: RoundingMode;
  subAreas: readonly SubAreaSums[];
  topProjects: readonly TopProjectSums[];
  namedProjects?: string[];
  /** exact fractions for the horizons that could not be certified, when asked for */
  exact?: Partial<Record<Horizon, readonly ProjectFraction[]>>;
};

export const areaOf = (subArea: string): Area | null => subAreaAnyVersion(subArea)?.area ?? null;

const AREA_ORDER = Object.keys(AREA_NAMES) as Area[];

export function quarterPeriod(quarter: string) {
  const { start, end, year, q } = quarterBounds(quarter);
  return { start, end, yearStart: `${year}-01-01`, year, q };
}

/**
 * Builds the content, or names the horizons whose reduction sums need exact fractions first
 * (`needs_exact`), which the caller fetches and passes back in `exact`.
 */
export function compileDisclosure(
  input: CompileInput,
): { ok: true; value: DisclosureContent } | { ok: false; status: 'needs_exact'; horizons: Horizon[] } {
  const mode = input.rounding;
  const byArea = new Map<Area, SubAreaSums[]>();
  for (const row of input.subAreas) {
    const area = areaOf(row.subArea);
    if (!area) throw new Error(`sub-area ${row.subArea} is in no taxonomy version`);
    byArea.set(area, [...(byArea.get(area) ?? []), row]);
  }
  const total = (rows: readonly SubAreaSums[], h: Horizon) => rows.reduce((acc, r) => addSums(acc, r[h]), EMPTY_SUMS);
  const needsExact = new Set<Horizon>();
  const reductionOf = (rows: readonly SubAreaSums[], h: Horizon): bigint => {
    const sums = total(rows, h);
    const certified = certifyRounded(sums.reductionLowerUnits, sums.reductionTerms, mode);
    if (certified !== null) return certified;
    const exact = input.exact?.[h];
    if (!exact) {
      needsExact.add(h);
      return 0n;
    }
    const wanted = new Set(rows.map((r) => r.subArea));
    return sumFractions(
      exact.filter((f) => wanted.has(f.subArea)),
      mode,
    );
  };
  const figures = (rows: readonly SubAreaSums[]) =>
    Object.fromEntries(HORIZONS.map((h) => [h, presentHorizon(total(rows, h), reductionOf(rows, h), mode)])) as Record<
      Horizon,
      HorizonFigures
    >;

  const horizons = figures(input.subAreas);
  const areas = AREA_ORDER.filter((a) => byArea.has(a));
  const areaRows = areas.map((area) => ({ area, nameZh: AREA_NAMES[area].zh, nameEn: AREA_NAMES[area].en, ...figures(byArea.get(area)!) }));
  if (needsExact.size) return { ok: false, status: 'needs_exact', horizons: [...needsExact] };

  const topProjects = input.topProjects.map((p) => ({
    ref: p.ref,
    name: p.name,
    area: areaOf(p.subArea),
    annualReductionTonnes: formatScaled(divRound(p.num, p.den, mode), 2),
  }));
  const period = quarterPeriod(input.quarter);
  const named = (input.namedProjects ?? []).filter((n) => topProjects.some((p) => p.name === n));
  const statement = renderStatement({
    bank: input.institution,
    year: period.year,
    q: period.q,
    horizons,
    areas,
    namedProjects: named,
    restatesVersion: input.restatesVersion,
  });
  return {
    ok: true,
    value: {
      institution: input.institution,
      quarter: input.quarter,
      version: input.version,
      period: { start: period.start, end: period.end, yearStart: period.yearStart },
      horizons,
      byArea: areaRows,
      topProjects,
      statement,
      basis: {
        countedLoans: 'loans disbursed in the horizon and covered by approved support (application approved or disbursed)',
        rounding: mode,
        loans: horizons.sinceInception.projects === 0 ? 0 : total(input.subAreas, 'sinceInception').loans,
      },
      previousVersion: input.previousVersion,
      restatesVersion: input.restatesVersion,
    },
  };
}
