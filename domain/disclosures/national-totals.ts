/**
 * National totals from the loans. The totals add up, exactly, the loans each bank's current published
 * version froze (its frozen loan set, db/repositories/disclosure-loans.ts), and round once, half up, when
 * presented; a bank whose published version has no loan-level records (an imported statement, or a
 * version compiled before loan sets were frozen) counts at its published figures.
 *
 * - projects: the distinct projects of the loans, a project financed by several banks (shared-projects.ts:
 *   same credit code, folded name and folded province, two or more banks) counted once; plus the
 *   published counts;
 * - loan amount: Σ principal, fen (each bank lent its own money), plus the published amounts;
 * - weighted rate: Σ(rate × principal) ÷ Σ principal over the loans and the published figures with a rate;
 * - reduction: Σ of every loan's exact attributed reduction (project reduction × principal ÷ total
 *   investment) — for a shared project the sum of its loans' but never more than the project's own
 *   reduction (the largest its banks declared), counted once — plus the published reductions.
 *
 * `nationalTotalsExact` is the rule on a list of loans (exact rationals). The database adds the loans in
 * bulk (db/sql/national-totals.ts: each term truncated to 10^-30 centitonne, with the number of terms), and
 * `presentTotals` rounds the interval once when both ends give the same figure (`certifyRoundedAt`), or
 * else takes the exact sum from `reductionOfTerms`. test/api/sql-mirrors-national-totals.test.ts checks
 * that both agree.
 */
import { divRound, formatScaled, type Fraction, type RoundingMode } from '../money.js';
import { certifyRoundedAt, REDUCTION_UNIT } from './figures.js';
import { sumFractionsExact } from './imported-statement.js';
import { findSharedProjects, type CountedOnce, type SharedProjectLoan } from './shared-projects.js';

/** A frozen loan as the totals read it. */
export type TotalsLoan = {
  /** unique within the list */
  loanId: string;
  institutionCode: string;
  /** null for loans frozen without the facts that name a project across banks (never shared) */
  creditCode: string | null;
  projectName: string | null;
  province: string | null;
  /** the loan's entry in the national register (the surviving one of linked entries), null when it has none */
  registerId?: string | null;
  /** the project as its bank records it, unique across banks */
  projectId: string;
  principalFen: bigint;
  ratePpm: bigint;
  /** rounded half up to the centitonne: the reduction used when the total investment was not frozen */
  attributedCentitonnes: bigint;
  projectReductionCentitonnes: bigint | null;
  projectTotalInvestmentFen: bigint | null;
};

/** A bank's published figures, as exact values. */
export type PublishedTotalsFigures = { projects: number; principalFen: bigint; ratePpm: bigint | null; reductionCentitonnes: Fraction };

/** One reduction term: the loans of one project on one denominator, in a shared project (`group`) or not. */
export type ReductionTerm = { group: string | null; cap: bigint | null; num: bigint; den: bigint };

/** The totals' exact sums (reduction as a lower bound in 10^-30 centitonne with its number of terms, or exact). */
export type TotalsSums = {
  projects: number;
  principalFen: bigint;
  rateWeightedPpmFen: bigint;
  ratedPrincipalFen: bigint;
  reductionLowerUnits: bigint;
  reductionTerms: number;
  sharedProjects: number;
  projectsNotCounted: number;
  notCountedLowerUnits: bigint;
  notCountedTerms: number;
};

export type TotalsFigures = {
  projects: number;
  loanAmountWanYuan: string;
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
};

/** Plain decimal text of a published figure (separators, "%" and spaces dropped) as units of 10^-decimals. */
function plain(text: string): { units: bigint; scale: number } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text.replace(/[,\s%]/g, ''));
  if (!m) throw new Error(`not a published figure: ${text}`);
  const frac = m[2] ?? '';
  return { units: BigInt(m[1] + frac), scale: frac.length };
}

/**
 * A bank's published figures as exact values: the figures at the ledger's precision when the version
 * keeps them (`exact`), else the printed ones (an imported statement: as the bank printed them).
 */
export function publishedTotalsFigures(f: {
  projects: number;
  loanAmountWanYuan: string;
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
  exact?: { loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
}): PublishedTotalsFigures {
  const src = f.exact ?? f;
  const amount = plain(src.loanAmountWanYuan); // 万元: 1 万元 = 1,000,000 fen
  const rate = src.weightedAverageRatePercent === null ? null : plain(src.weightedAverageRatePercent); // 1 % = 10,000 ppm
  const tonnes = plain(src.annualReductionTonnes);
  const scaled = (d: { units: bigint; scale: number }, places: number) => {
    const shift = places - d.scale;
    if (shift >= 0) return d.units * 10n ** BigInt(shift);
    return divRound(d.units, 10n ** BigInt(-shift), 'half_up');
  };
  return {
    projects: f.projects,
    principalFen: scaled(amount, 6),
    ratePpm: rate === null ? null : scaled(rate, 4),
    reductionCentitonnes: { num: tonnes.units * 100n, den: 10n ** BigInt(tonnes.scale) },
  };
}

/** A loan's exact attributed reduction, centitonnes. */
const loanReduction = (l: TotalsLoan): Fraction =>
  l.projectTotalInvestmentFen && l.projectReductionCentitonnes !== null
    ? { num: l.projectReductionCentitonnes * l.principalFen, den: l.projectTotalInvestmentFen }
    : { num: l.attributedCentitonnes, den: 1n };

const lessOf = (a: Fraction, b: Fraction) => (a.num * b.den <= b.num * a.den ? a : b);
const minus = (a: Fraction, b: Fraction): Fraction => sumFractionsExact([a, { num: -b.num, den: b.den }]);

/** The shared projects among the loans (by register entry, else by the folded spelling), as loan id → its group's key and cap. */
function sharedGroups(loans: readonly TotalsLoan[]) {
  const nameable = loans
    .filter((l) => l.registerId || (l.creditCode !== null && l.projectName !== null && l.province !== null))
    .map((l): SharedProjectLoan & { loanId: string } => ({
      loanId: l.loanId,
      institutionCode: l.institutionCode,
      creditCode: l.creditCode ?? '',
      projectName: l.projectName ?? '',
      province: l.province ?? '',
      registerId: l.registerId ?? null,
      projectId: l.projectId,
      principalFen: l.principalFen,
      attributedCentitonnes: l.attributedCentitonnes,
      projectReductionCentitonnes: l.projectReductionCentitonnes ?? 0n,
    }));
  const shared = findSharedProjects(nameable);
  const of = new Map<string, { key: string; cap: bigint }>();
  for (const p of shared)
    for (const b of p.banks) for (const l of b.loans) of.set(l.loanId, { key: p.key, cap: p.projectReductionCentitonnes });
  return { shared, of };
}

/** The reduction terms of the loans: per project and denominator, with the shared project they belong to. */
export function reductionTermsOf(loans: readonly TotalsLoan[]): ReductionTerm[] {
  const { of } = sharedGroups(loans);
  const terms = new Map<string, ReductionTerm>();
  for (const l of loans) {
    const g = of.get(l.loanId);
    const r = loanReduction(l);
    const key = `${g?.key ?? ''}\u0001${l.projectId}\u0001${r.den}`;
    const t = terms.get(key);
    if (t) t.num += r.num;
    else terms.set(key, { group: g?.key ?? null, cap: g?.cap ?? null, num: r.num, den: r.den });
  }
  return [...terms.values()];
}

/** The exact reduction the terms give (each shared project at most its own reduction) and what that leaves out. */
export function reductionOfTerms(terms: readonly ReductionTerm[]): { counted: Fraction; notCounted: Fraction } {
  const groups = new Map<string, { cap: bigint; terms: Fraction[] }>();
  const alone: Fraction[] = [];
  for (const t of terms) {
    if (t.group === null) alone.push(t);
    else {
      const g = groups.get(t.group) ?? { cap: t.cap ?? 0n, terms: [] };
      if (t.cap !== null && t.cap > g.cap) g.cap = t.cap;
      g.terms.push(t);
      groups.set(t.group, g);
    }
  }
  const counted: Fraction[] = [...alone];
  const notCounted: Fraction[] = [];
  for (const g of groups.values()) {
    const sum = sumFractionsExact(g.terms);
    const once = lessOf(sum, { num: g.cap, den: 1n });
    counted.push(once);
    notCounted.push(minus(sum, once));
  }
  return { counted: sumFractionsExact(counted), notCounted: sumFractionsExact(notCounted) };
}

/** The rule on a list: the totals' exact sums of the loans and the published figures. */
export function nationalTotalsExact(
  loans: readonly TotalsLoan[],
  published: readonly PublishedTotalsFigures[],
): {
  sums: Omit<TotalsSums, 'reductionLowerUnits' | 'reductionTerms' | 'notCountedLowerUnits' | 'notCountedTerms'>;
  reduction: Fraction;
  notCounted: Fraction;
} {
  const { shared } = sharedGroups(loans);
  const projectsNotCounted = shared.reduce((n, p) => n + p.projects - 1, 0);
  const { counted, notCounted } = reductionOfTerms(reductionTermsOf(loans));
  let principalFen = 0n;
  let rateWeightedPpmFen = 0n;
  let ratedPrincipalFen = 0n;
  for (const l of loans) {
    principalFen += l.principalFen;
    rateWeightedPpmFen += l.ratePpm * l.principalFen;
    ratedPrincipalFen += l.principalFen;
  }
  let projects = new Set(loans.map((l) => l.projectId)).size - projectsNotCounted;
  const reductions: Fraction[] = [counted];
  for (const p of published) {
    projects += p.projects;
    principalFen += p.principalFen;
    if (p.ratePpm !== null && p.principalFen > 0n) {
      rateWeightedPpmFen += p.ratePpm * p.principalFen;
      ratedPrincipalFen += p.principalFen;
    }
    reductions.push(p.reductionCentitonnes);
  }
  return {
    sums: { projects, principalFen, rateWeightedPpmFen, ratedPrincipalFen, sharedProjects: shared.length, projectsNotCounted },
    reduction: sumFractionsExact(reductions),
    notCounted,
  };
}

/** The published figures added to the loans' sums (the published reductions are exact multiples of the truncation unit). */
export function withPublished(sums: TotalsSums, published: readonly PublishedTotalsFigures[]): TotalsSums {
  const out = { ...sums };
  for (const p of published) {
    out.projects += p.projects;
    out.principalFen += p.principalFen;
    if (p.ratePpm !== null && p.principalFen > 0n) {
      out.rateWeightedPpmFen += p.ratePpm * p.principalFen;
      out.ratedPrincipalFen += p.principalFen;
    }
    out.reductionLowerUnits += (p.reductionCentitonnes.num * REDUCTION_UNIT) / p.reductionCentitonnes.den;
  }
  return out;
}

/** Presented figures: amounts in 万元, the rate in percent and tonnes with two decimals, each rounded once by `mode`. */
const DECIMALS = 2;

export function presentFigures(
  sums: Pick<TotalsSums, 'projects' | 'principalFen' | 'rateWeightedPpmFen' | 'ratedPrincipalFen'>,
  reductionCentitonnes: bigint,
  mode: RoundingMode,
): TotalsFigures {
  return {
    projects: sums.projects,
    loanAmountWanYuan: formatScaled(divRound(sums.principalFen, 10n ** BigInt(6 - DECIMALS), mode), DECIMALS),
    weightedAverageRatePercent:
      sums.ratedPrincipalFen === 0n
        ? null
        : formatScaled(divRound(sums.rateWeightedPpmFen * 10n ** BigInt(DECIMALS), sums.ratedPrincipalFen * 10_000n, mode), DECIMALS),
    annualReductionTonnes: formatScaled(reductionCentitonnes, DECIMALS),
  };
}

/** A fraction of a centitonne rounded once to hundredths of a tonne (centitonnes). */
export const roundCentitonnes = (f: Fraction, mode: RoundingMode) => divRound(f.num, f.den, mode);

/**
 * The presented totals from the database's sums: the reduction and what the shared projects leave out are
 * rounded from their intervals when certain, else null (the caller then sums the exact terms).
 */
export function presentTotals(sums: TotalsSums, mode: RoundingMode): { figures: TotalsFigures; countedOnce: CountedOnce } | null {
  const reduction = certifyRoundedAt(sums.reductionLowerUnits, sums.reductionTerms, mode, DECIMALS);
  const notCounted = certifyRoundedAt(sums.notCountedLowerUnits, sums.notCountedTerms, mode, DECIMALS);
  if (reduction === null || notCounted === null) return null;
  return {
    figures: presentFigures(sums, reduction, mode),
    countedOnce: {
      sharedProjects: sums.sharedProjects,
      projectsNotCounted: sums.projectsNotCounted,
      reductionNotCountedCentitonnes: notCounted,
    },
  };
}

/** The presented totals from exact reductions (the rule on a list, or the terms when the interval was not certain). */
export function presentExactTotals(
  sums: Pick<
    TotalsSums,
    'projects' | 'principalFen' | 'rateWeightedPpmFen' | 'ratedPrincipalFen' | 'sharedProjects' | 'projectsNotCounted'
  >,
  reduction: Fraction,
  notCounted: Fraction,
  mode: RoundingMode,
): { figures: TotalsFigures; countedOnce: CountedOnce } {
  return {
    figures: presentFigures(sums, roundCentitonnes(reduction, mode), mode),
    countedOnce: {
      sharedProjects: sums.sharedProjects,
      projectsNotCounted: sums.projectsNotCounted,
      reductionNotCountedCentitonnes: roundCentitonnes(notCounted, mode),
    },
  };
}
