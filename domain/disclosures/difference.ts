/**
 * The difference between a version and the one it replaces (a correction or restatement), figure by
 * figure: the three horizons' totals and every area either side has, each of the four figures that
 * changed, with its printed values and (for compiled versions) its exact values. The loan-by-loan
 * difference comes from the two frozen loan sets (db/repositories/disclosure-loans.ts).
 */
import type { DisclosureContent, Horizon } from './compile.js';
import { HORIZONS } from './compile.js';
import type { HorizonFigures } from './figures.js';

export const DIFF_FIGURES = ['projects', 'loanAmountWanYuan', 'weightedAverageRatePercent', 'annualReductionTonnes'] as const;
export type DiffFigure = (typeof DIFF_FIGURES)[number];

export type FigureChange = {
  scope: string;
  horizon: Horizon;
  figure: DiffFigure;
  from: string | null;
  to: string | null;
  exactFrom?: string | null;
  exactTo?: string | null;
};

const printed = (h: HorizonFigures | undefined, f: DiffFigure): string | null =>
  h === undefined ? null : f === 'projects' ? String(h.projects) : h[f];
const exact = (h: HorizonFigures | undefined, f: DiffFigure): string | null | undefined =>
  h === undefined ? null : f === 'projects' ? String(h.projects) : h.exact ? h.exact[f] : undefined;

/** The figures that changed (compared exactly when both versions carry exact figures, else as printed). */
export function figureDifference(from: DisclosureContent, to: DisclosureContent): FigureChange[] {
  const out: FigureChange[] = [];
  const compare = (scope: string, a: Record<Horizon, HorizonFigures> | undefined, b: Record<Horizon, HorizonFigures> | undefined) => {
    for (const horizon of HORIZONS)
      for (const figure of DIFF_FIGURES) {
        const ea = exact(a?.[horizon], figure);
        const eb = exact(b?.[horizon], figure);
        const pa = printed(a?.[horizon], figure);
        const pb = printed(b?.[horizon], figure);
        const same = ea !== undefined && eb !== undefined ? ea === eb : pa === pb;
        if (same) continue;
        out.push({
          scope,
          horizon,
          figure,
          from: pa,
          to: pb,
          ...(ea !== undefined || eb !== undefined ? { exactFrom: ea ?? null, exactTo: eb ?? null } : {}),
        });
      }
  };
  compare('total', from.horizons, to.horizons);
  const areas = [...new Set([...(from.byArea ?? []).map((a) => a.area), ...(to.byArea ?? []).map((a) => a.area)])];
  for (const area of areas)
    compare(
      area,
      from.byArea?.find((a) => a.area === area),
      to.byArea?.find((a) => a.area === area),
    );
  return out;
}
