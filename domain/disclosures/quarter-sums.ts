/**
 * The raw sums behind one bank's quarter disclosure, from its loans covered by approved support
 * (covered-by-approved-support.ts). A loan counts in a horizon — the quarter, the year to date, since
 * inception (`horizonsOf`) — when it was disbursed in it, on or before the quarter's end.
 *
 * A loan's reduction is attributed with its project's figures, or with the figures an operator decided for
 * the register entry it names (domain/projects/register.ts `attributionFigures`); the loans of one project
 * attributed with the same figures form one reduction term. Per sub-area (and reduction basis) and horizon:
 * the distinct projects, the terms, the loans, Σ principal, Σ rate × principal, and the reduction as Σ over
 * terms of ⌊reduction × Σ principal × REDUCTION_UNIT ÷ investment⌋ (each term truncated once, the count of
 * terms kept so the sum can be certified when rounded). And the bank's three projects with the largest
 * reduction in the quarter (ties by ref), each with its exact fraction.
 *
 * db/sql/quarter-sums.ts computes the same in one statement for every bank;
 * test/api/sql-mirrors-quarter-sums.test.ts checks that both agree.
 */
import { quarterPeriod, type Horizon, type SubAreaSums, type TopProjectSums } from './compile.js';
import { REDUCTION_UNIT, type HorizonSums } from './figures.js';

export type BankSums = { subAreas: SubAreaSums[]; topProjects: TopProjectSums[] };

/** One covered loan of the bank, with its project and the figures its reduction is attributed with. */
export type CoveredLoanFigures = {
  projectId: string;
  ref: string;
  name: string;
  subArea: string;
  basis: string;
  disbursedOn: string;
  principalFen: bigint;
  ratePpm: bigint;
  /** the register entry whose decided figures apply (null: the project's own) */
  figuresId: string | null;
  reductionCentitonnes: bigint;
  investmentFen: bigint;
};

/** Each horizon of a quarter and the first day a loan counts in it. */
export const horizonsOf = (quarter: string): { horizon: Horizon; from: string }[] => {
  const p = quarterPeriod(quarter);
  return [
    { horizon: 'quarter', from: p.start },
    { horizon: 'yearToDate', from: p.yearStart },
    { horizon: 'sinceInception', from: '0001-01-01' },
  ];
};

type Term = {
  loan: CoveredLoanFigures;
  per: Record<Horizon, { loans: number; principalFen: bigint; rateWeightedPpmFen: bigint }>;
};

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function quarterSumsOf(loans: readonly CoveredLoanFigures[], quarter: string): BankSums {
  const end = quarterPeriod(quarter).end;
  const hs = horizonsOf(quarter);
  const terms = new Map<string, Term>();
  for (const l of loans) {
    if (l.disbursedOn > end) continue;
    const key = JSON.stringify([l.projectId, l.figuresId]);
    let t = terms.get(key);
    if (!t) {
      const zero = () => ({ loans: 0, principalFen: 0n, rateWeightedPpmFen: 0n });
      t = { loan: l, per: { quarter: zero(), yearToDate: zero(), sinceInception: zero() } };
      terms.set(key, t);
    }
    for (const { horizon, from } of hs) {
      if (l.disbursedOn < from) continue;
      const s = t.per[horizon];
      s.loans += 1;
      s.principalFen += l.principalFen;
      s.rateWeightedPpmFen += l.ratePpm * l.principalFen;
    }
  }
  const reductionOf = (t: Term, h: Horizon) =>
    (t.loan.reductionCentitonnes * t.per[h].principalFen * REDUCTION_UNIT) / t.loan.investmentFen;

  const areas = new Map<string, Term[]>();
  for (const t of terms.values()) {
    const key = JSON.stringify([t.loan.subArea, t.loan.basis]);
    areas.set(key, [...(areas.get(key) ?? []), t]);
  }
  const subAreas: SubAreaSums[] = [...areas.values()]
    .map((ts) => {
      const sums = (h: Horizon): HorizonSums => {
        const counted = ts.filter((t) => t.per[h].loans > 0);
        return {
          projects: new Set(counted.map((t) => t.loan.projectId)).size,
          loans: ts.reduce((n, t) => n + t.per[h].loans, 0),
          principalFen: ts.reduce((n, t) => n + t.per[h].principalFen, 0n),
          rateWeightedPpmFen: ts.reduce((n, t) => n + t.per[h].rateWeightedPpmFen, 0n),
          reductionLowerUnits: ts.reduce((n, t) => n + reductionOf(t, h), 0n),
          reductionTerms: counted.length,
        };
      };
      return {
        subArea: ts[0].loan.subArea,
        basis: ts[0].loan.basis,
        quarter: sums('quarter'),
        yearToDate: sums('yearToDate'),
        sinceInception: sums('sinceInception'),
      };
    })
    .sort((a, b) => compare(a.subArea, b.subArea) || compare(a.basis, b.basis));

  // the quarter's reduction of each project, exactly: Σ over its terms of reduction × Σ principal ÷ investment
  const projects = new Map<string, TopProjectSums>();
  for (const t of terms.values()) {
    if (t.per.quarter.loans === 0) continue;
    const num = t.loan.reductionCentitonnes * t.per.quarter.principalFen;
    const den = t.loan.investmentFen;
    const same = projects.get(t.loan.projectId);
    if (same) Object.assign(same, { num: same.num * den + num * same.den, den: same.den * den });
    else projects.set(t.loan.projectId, { ref: t.loan.ref, name: t.loan.name, subArea: t.loan.subArea, num, den });
  }
  const topProjects = [...projects.values()]
    .sort((x, y) => {
      const d = y.num * x.den - x.num * y.den; // descending by num/den, exactly
      return d > 0n ? 1 : d < 0n ? -1 : compare(x.ref, y.ref);
    })
    .slice(0, 3);
  return { subAreas, topProjects };
}
