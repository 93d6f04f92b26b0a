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
    .sort(bySubAreaThenBasis);

  const topProjects = topProjectsOf(
    [...terms.values()].filter((t) => t.per.quarter.loans > 0).map((t) => ({ term: t.loan, principalFen: t.per.quarter.principalFen })),
  );
  return { subAreas, topProjects };
}

const bySubAreaThenBasis = (a: SubAreaSums, b: SubAreaSums) => compare(a.subArea, b.subArea) || compare(a.basis ?? '', b.basis ?? '');

/**
 * The three projects with the largest reduction in the quarter, from the terms with loans in it and their
 * quarter's principal: each project's reduction exactly, Σ over its terms of reduction × Σ principal ÷
 * investment; ties by reference.
 */
function topProjectsOf(terms: readonly { term: TermFigures; principalFen: bigint }[]): TopProjectSums[] {
  const projects = new Map<string, TopProjectSums>();
  for (const { term: t, principalFen } of terms) {
    const num = t.reductionCentitonnes * principalFen;
    const den = t.investmentFen;
    const same = projects.get(t.projectId);
    if (same) Object.assign(same, { num: same.num * den + num * same.den, den: same.den * den });
    else projects.set(t.projectId, { ref: t.ref, name: t.name, subArea: t.subArea, num, den });
  }
  return [...projects.values()]
    .sort((x, y) => {
      const d = y.num * x.den - x.num * y.den; // descending by num/den, exactly
      return d > 0n ? 1 : d < 0n ? -1 : compare(x.ref, y.ref);
    })
    .slice(0, 3);
}

/** A project term of one bank: a project and the figures its loans' reduction is attributed with. */
export type TermFigures = Pick<
  CoveredLoanFigures,
  'projectId' | 'ref' | 'name' | 'subArea' | 'basis' | 'reductionCentitonnes' | 'investmentFen'
>;

/**
 * A term's covered loans disbursed in one quarter: `quarterIndex` is year × 4 + quarter − 1; one index
 * before the first quarter's year may stand for every quarter before that year (they count only since
 * inception).
 */
export type TermQuarterTotals = { term: number; quarterIndex: number; loans: number; principalFen: bigint; rateWeightedPpmFen: bigint };

/** year × 4 + quarter − 1 */
export const quarterIndexOf = (quarter: string) => {
  const p = quarterPeriod(quarter);
  return p.year * 4 + p.q - 1;
};

type Totals = { loans: number; principalFen: bigint; rateWeightedPpmFen: bigint };
const ZERO_TOTALS: Totals = { loans: 0, principalFen: 0n, rateWeightedPpmFen: 0n };

/**
 * `quarterSumsOf` for several quarters of one bank at once, from each term's totals per disbursement
 * quarter (`terms[i]` is term i): the quarters are taken in order and each term's horizons moved forward
 * by the quarters' totals up to each one (the year to date starting again with each year, the quarter
 * horizon with each quarter), each sub-area's sums kept as the terms move, so the work grows with the
 * totals and the quarters, not with their product. Equal to `quarterSumsOf` over the loans for each
 * quarter (test/api/sql-mirrors-quarter-sums.test.ts).
 */
export function quarterSumsOfQuarters(
  terms: readonly TermFigures[],
  totals: readonly TermQuarterTotals[],
  quarters: readonly string[],
): Map<string, BankSums> {
  type AreaHorizon = Totals & { reduction: bigint; terms: number; projects: Map<string, number> };
  type Area = { subArea: string; basis: string; per: Record<Horizon, AreaHorizon> };
  const areas = new Map<string, Area>();
  const areaOf = (t: TermFigures) => {
    const key = JSON.stringify([t.subArea, t.basis]);
    let a = areas.get(key);
    if (!a) {
      const zero = (): AreaHorizon => ({ ...ZERO_TOTALS, reduction: 0n, terms: 0, projects: new Map() });
      a = { subArea: t.subArea, basis: t.basis, per: { quarter: zero(), yearToDate: zero(), sinceInception: zero() } };
      areas.set(key, a);
    }
    return a;
  };
  const termAreas = terms.map(areaOf);
  // each term's horizons with their truncated reduction, kept so taking a term away computes nothing
  type Held = Totals & { reduction: bigint };
  const NONE: Held = { ...ZERO_TOTALS, reduction: 0n };
  const state = terms.map(() => ({ quarter: NONE, yearToDate: NONE, sinceInception: NONE }) as Record<Horizon, Held>);
  /** adds (sign 1) or takes away (−1) term i's horizon h from its sub-area */
  const count = (i: number, h: Horizon, sign: 1 | -1) => {
    const s = state[i][h];
    if (s.loans === 0) return;
    const a = termAreas[i].per[h];
    a.loans += sign * s.loans;
    a.terms += sign;
    if (sign === 1) {
      a.principalFen += s.principalFen;
      a.rateWeightedPpmFen += s.rateWeightedPpmFen;
      a.reduction += s.reduction;
    } else {
      a.principalFen -= s.principalFen;
      a.rateWeightedPpmFen -= s.rateWeightedPpmFen;
      a.reduction -= s.reduction;
    }
    const id = terms[i].projectId;
    const n = (a.projects.get(id) ?? 0) + sign;
    if (n) a.projects.set(id, n);
    else a.projects.delete(id);
  };
  const set = (i: number, h: Horizon, s: Held) => {
    count(i, h, -1);
    state[i][h] = s;
    count(i, h, 1);
  };
  const plus = (i: number, s: Totals, r: TermQuarterTotals): Held => {
    const principalFen = s.principalFen + r.principalFen;
    return {
      loans: s.loans + r.loans,
      principalFen,
      rateWeightedPpmFen: s.rateWeightedPpmFen + r.rateWeightedPpmFen,
      reduction: (terms[i].reductionCentitonnes * principalFen * REDUCTION_UNIT) / terms[i].investmentFen,
    };
  };

  // the totals of each disbursement quarter (a handful of quarters: no sort of every total)
  const byQuarter = new Map<number, TermQuarterTotals[]>();
  for (const r of totals) {
    const list = byQuarter.get(r.quarterIndex);
    if (list) list.push(r);
    else byQuarter.set(r.quarterIndex, [r]);
  }
  const rows = [...byQuarter.keys()].sort((x, y) => x - y).flatMap((q) => byQuarter.get(q)!);
  const sums = (a: AreaHorizon): HorizonSums => ({
    projects: a.projects.size,
    loans: a.loans,
    principalFen: a.principalFen,
    rateWeightedPpmFen: a.rateWeightedPpmFen,
    reductionLowerUnits: a.reduction,
    reductionTerms: a.terms,
  });
  const out = new Map<string, BankSums>();
  let next = 0;
  let year: number | null = null;
  const inQuarter = new Set<number>();
  const inYear = new Set<number>();
  for (const quarter of [...quarters].sort(compare)) {
    const qi = quarterIndexOf(quarter);
    const y = Math.floor(qi / 4);
    for (const i of inQuarter) set(i, 'quarter', NONE);
    inQuarter.clear();
    if (y !== year) {
      for (const i of inYear) set(i, 'yearToDate', NONE);
      inYear.clear();
      year = y;
    }
    for (; next < rows.length && rows[next].quarterIndex <= qi; next++) {
      const r = rows[next];
      set(r.term, 'sinceInception', plus(r.term, state[r.term].sinceInception, r));
      if (Math.floor(r.quarterIndex / 4) === y && r.quarterIndex >= 0) {
        set(r.term, 'yearToDate', plus(r.term, state[r.term].yearToDate, r));
        inYear.add(r.term);
      }
      if (r.quarterIndex === qi) {
        set(r.term, 'quarter', plus(r.term, state[r.term].quarter, r));
        inQuarter.add(r.term);
      }
    }
    const subAreas: SubAreaSums[] = [...areas.values()]
      .filter((a) => a.per.sinceInception.terms > 0)
      .map((a) => ({
        subArea: a.subArea,
        basis: a.basis,
        quarter: sums(a.per.quarter),
        yearToDate: sums(a.per.yearToDate),
        sinceInception: sums(a.per.sinceInception),
      }))
      .sort(bySubAreaThenBasis);
    const topProjects = topProjectsOf([...inQuarter].map((i) => ({ term: terms[i], principalFen: state[i].quarter.principalFen })));
    out.set(quarter, { subAreas, topProjects });
  }
  return out;
}
