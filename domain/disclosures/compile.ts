/**
 * Assembles a disclosure version's content from the raw sums of its counted loans (grouped by
 * sub-area, per horizon). Pure: the repository supplies the sums, and — only when a truncated sum
 * cannot be certified — the exact per-project fractions of the horizons that need them.
 */
import { quarterBounds, type IsoDate } from '../dates.js';
import { divRound, type RoundingMode } from '../money.js';
import { AREA_NAMES, subAreaAnyVersion, type Area } from '../policy/index.js';
import {
  addSums,
  certifyRoundedAt,
  EMPTY_SUMS,
  EXACT_DECIMALS,
  exactFigures,
  methodShares,
  presentHorizon,
  REDUCTION_METHODS,
  sumFractionsAt,
  type HorizonFigures,
  type HorizonSums,
  type ReductionMethod,
} from './figures.js';
import { DEFAULT_STATEMENT_FORMAT, printReduction, type StatementFormat } from './format.js';
import { renderStatement } from './statement.js';

export const HORIZONS = ['quarter', 'yearToDate', 'sinceInception'] as const;
export type Horizon = (typeof HORIZONS)[number];

/** sums of one sub-area's counted loans (of one reduction method, when `basis` is given) */
export type SubAreaSums = { subArea: string; basis?: string } & Record<Horizon, HorizonSums>;
/** exact reduction of one project's counted loans in a horizon: Σ(reduction × principal) / total investment */
export type ProjectFraction = { subArea: string; basis?: string; num: bigint; den: bigint };
/** A project the bank names in its statement (by its reference). */
export type NamedProject = { ref: string; name: string };
/** The loans a version counted: how many, and the SHA-256 over their list (db/repositories/disclosure-loans.ts). */
export type LoanSet = { loans: number; sha256: string };
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
  /** the statement format the figures print in (the bank's setting in force at the quarter's end) */
  format?: StatementFormat & { effectiveFrom: IsoDate | null };
  /** the projects the bank chose to name (0–3), in its order */
  namedProjects?: NamedProject[];
  /** the frozen list of counted loans: its length and hash (the content hash covers it) */
  loanSet?: LoanSet;
  /** why this version replaces the previous one (a correction or restatement), or null for version 1 */
  changeReason?: string | null;
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
  namedProjects?: NamedProject[];
  format?: StatementFormat;
  formatEffectiveFrom?: IsoDate | null;
  loanSet?: LoanSet;
  changeReason?: string | null;
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
  const format = input.format ?? DEFAULT_STATEMENT_FORMAT;
  const reductionOf = (rows: readonly SubAreaSums[], h: Horizon, decimals: number): bigint => {
    const sums = total(rows, h);
    const certified = certifyRoundedAt(sums.reductionLowerUnits, sums.reductionTerms, mode, decimals);
    if (certified !== null) return certified;
    const exact = input.exact?.[h];
    if (!exact) {
      needsExact.add(h);
      return 0n;
    }
    const wanted = new Set(rows.map((r) => `${r.subArea}|${r.basis ?? ''}`));
    return sumFractionsAt(
      exact.filter((f) => wanted.has(`${f.subArea}|${f.basis ?? ''}`)),
      mode,
      decimals,
    );
  };
  const methodsOf = (rows: readonly SubAreaSums[], h: Horizon) => {
    if (!rows.some((r) => r.basis)) return undefined;
    const lower = Object.fromEntries(REDUCTION_METHODS.map((m) => [m, 0n])) as Record<ReductionMethod, bigint>;
    for (const r of rows) if (r.basis && r.basis in lower) lower[r.basis as ReductionMethod] += r[h].reductionLowerUnits;
    return methodShares(lower);
  };
  const figures = (rows: readonly SubAreaSums[]) =>
    Object.fromEntries(
      HORIZONS.map((h) => {
        const sums = total(rows, h);
        const printed = presentHorizon(sums, reductionOf(rows, h, format.reductionDecimals), mode, format);
        if (!input.format) return [h, printed];
        return [
          h,
          {
            ...printed,
            exact: exactFigures(sums, reductionOf(rows, h, EXACT_DECIMALS.reduction), mode),
            reductionMethods: methodsOf(rows, h),
          },
        ];
      }),
    ) as Record<Horizon, HorizonFigures>;

  const horizons = figures(input.subAreas);
  const areas = AREA_ORDER.filter((a) => byArea.has(a));
  const areaRows = areas.map((area) => ({ area, nameZh: AREA_NAMES[area].zh, nameEn: AREA_NAMES[area].en, ...figures(byArea.get(area)!) }));
  if (needsExact.size) return { ok: false, status: 'needs_exact', horizons: [...needsExact] };

  const topProjects = input.topProjects.map((p) => ({
    ref: p.ref,
    name: p.name,
    area: areaOf(p.subArea),
    annualReductionTonnes: printReduction(divRound(p.num * 10n ** BigInt(format.reductionDecimals), p.den * 100n, mode), format),
  }));
  const period = quarterPeriod(input.quarter);
  const named = input.namedProjects ?? [];
  const content: DisclosureContent = {
    institution: input.institution,
    quarter: input.quarter,
    version: input.version,
    period: { start: period.start, end: period.end, yearStart: period.yearStart },
    horizons,
    byArea: areaRows,
    topProjects,
    statement: { zh: '', en: '' },
    basis: {
      countedLoans: 'loans disbursed in the horizon and covered by approved support (application approved or disbursed)',
      rounding: mode,
      loans: horizons.sinceInception.projects === 0 ? 0 : total(input.subAreas, 'sinceInception').loans,
    },
    previousVersion: input.previousVersion,
    restatesVersion: input.restatesVersion,
    ...(input.format
      ? {
          format: { ...input.format, effectiveFrom: input.formatEffectiveFrom ?? null },
          namedProjects: named,
          loanSet: input.loanSet,
          changeReason: input.changeReason ?? null,
        }
      : {}),
  };
  return { ok: true, value: withStatement(content) };
}

/** The content with its statement rendered from its own figures, format and named projects. */
export function withStatement(content: DisclosureContent): DisclosureContent {
  const period = quarterPeriod(content.quarter);
  const statement = renderStatement({
    bank: content.institution,
    year: period.year,
    q: period.q,
    horizons: content.horizons,
    areas: content.byArea.map((a) => a.area),
    namedProjects: (content.namedProjects ?? []).map((p) => p.name),
    restatesVersion: content.restatesVersion,
    format: content.format,
  });
  return { ...content, statement };
}

/** The content with other named projects (the bank's choice before it submits), its statement rendered again. */
export const withNamedProjects = (content: DisclosureContent, named: NamedProject[]): DisclosureContent =>
  withStatement({ ...content, namedProjects: named });
