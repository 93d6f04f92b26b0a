/**
 * Disclosure figures from exact sums. Each horizon's raw sums come from the loan-level data (SQL does
 * the adding); this module turns them into the presented strings, rounding each figure ONCE with the
 * policy's rounding mode (half up).
 *
 * Attributed annual reduction of a loan = project reduction × principal ÷ project total investment:
 * an exact fraction of a centitonne. The loans of one project share its denominator, so SQL first adds
 * each project's principals exactly, then truncates each project's fraction to 10^-REDUCTION_SCALE
 * centitonne and adds those: a lower bound L of the exact sum, which lies in [L, L + n) units for n terms.
 * When both ends round to the same centitonne, that is the exactly rounded figure (`certifyRounded`);
 * otherwise the caller falls back to exact rational summation (`sumFractions`).
 */
import { divRound, formatScaled, type RoundingMode } from '../money.js';
import {
  DEFAULT_STATEMENT_FORMAT,
  percentUnits,
  printAmount,
  printRate,
  printReduction,
  wanYuanUnits,
  type StatementFormat,
} from './format.js';

/** decimals of a centitonne each reduction term is truncated to before adding */
export const REDUCTION_SCALE = 30;
export const REDUCTION_UNIT = 10n ** BigInt(REDUCTION_SCALE);

/** The exact raw sums behind one horizon (or one area within it). */
export type HorizonSums = {
  projects: number;
  loans: number;
  principalFen: bigint;
  /** Σ rate_ppm × principal_fen */
  rateWeightedPpmFen: bigint;
  /** Σ of the reduction terms, each truncated to 10^-REDUCTION_SCALE centitonne (in those units) … */
  reductionLowerUnits: bigint;
  /** … and how many terms were truncated (one per project: a project's loans share its fraction) */
  reductionTerms: number;
};

export const EMPTY_SUMS: HorizonSums = {
  projects: 0,
  loans: 0,
  principalFen: 0n,
  rateWeightedPpmFen: 0n,
  reductionLowerUnits: 0n,
  reductionTerms: 0,
};

export function addSums(a: HorizonSums, b: HorizonSums): HorizonSums {
  return {
    projects: a.projects + b.projects,
    loans: a.loans + b.loans,
    principalFen: a.principalFen + b.principalFen,
    rateWeightedPpmFen: a.rateWeightedPpmFen + b.rateWeightedPpmFen,
    reductionLowerUnits: a.reductionLowerUnits + b.reductionLowerUnits,
    reductionTerms: a.reductionTerms + b.reductionTerms,
  };
}

/**
 * The exact sum rounded to whole centitonnes when the truncation cannot change the result, or null
 * when the interval [L, L + n] straddles a rounding boundary (then sum exactly instead).
 */
export function certifyRounded(lowerUnits: bigint, terms: number, mode: RoundingMode): bigint | null {
  const low = divRound(lowerUnits, REDUCTION_UNIT, mode);
  const high = divRound(lowerUnits + BigInt(terms), REDUCTION_UNIT, mode);
  return low === high ? low : null;
}

/** The units of 10^-decimals tonne in one truncation unit's divisor: a tonne is 100 centitonnes. */
const tonneDivisor = (decimals: number) => 10n ** BigInt(REDUCTION_SCALE + 2 - decimals);

/** `certifyRounded` to `decimals` decimals of a tonne (2: centitonnes) instead of whole centitonnes. */
export function certifyRoundedAt(lowerUnits: bigint, terms: number, mode: RoundingMode, decimals: number): bigint | null {
  const d = tonneDivisor(decimals);
  const low = divRound(lowerUnits, d, mode);
  const high = divRound(lowerUnits + BigInt(terms), d, mode);
  return low === high ? low : null;
}

/** Σ num/den centitonnes exactly, rounded once to `decimals` decimals of a tonne. */
export function sumFractionsAt(terms: readonly { num: bigint; den: bigint }[], mode: RoundingMode, decimals: number): bigint {
  const scale = 10n ** BigInt(decimals);
  return sumFractions(
    terms.map((t) => ({ num: t.num * scale, den: t.den * 100n })),
    mode,
  );
}

const gcd = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
};

/** Σ num/den exactly (bigint rational arithmetic), rounded once to an integer by `mode`. */
export function sumFractions(terms: readonly { num: bigint; den: bigint }[], mode: RoundingMode): bigint {
  // terms on the same denominator (the same project) add without growing it
  const byDen = new Map<bigint, bigint>();
  for (const t of terms) byDen.set(t.den, (byDen.get(t.den) ?? 0n) + t.num);
  let num = 0n;
  let den = 1n;
  for (const [d, n] of byDen) {
    num = num * d + n * den;
    den = den * d;
    const g = gcd(num, den);
    if (g > 1n) {
      num /= g;
      den /= g;
    }
  }
  return divRound(num, den, mode);
}

/** The decimals of the exact figures kept beside the printed ones (the finest any format prints, and fen). */
export const EXACT_DECIMALS = { amount: 6, rate: 4, reduction: 4 } as const;

/** The reduction methods a project's figure rests on (the project's `reductionBasis`). */
export const REDUCTION_METHODS = ['feasibility_study', 'environmental_impact_assessment', 'third_party_assessment'] as const;
export type ReductionMethod = (typeof REDUCTION_METHODS)[number];
/** Share of a reduction figure resting on each method, in percent with two decimals (adding up to 100.00). */
export type MethodShares = Record<ReductionMethod, string>;

export type HorizonFigures = {
  projects: number;
  /** printed in the bank's statement format */
  loanAmountWanYuan: string;
  /** null when no loan is counted (a weighted average of nothing is undefined) */
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
  /**
   * the figures at the ledger's precision, each rounded once from the exact sums: the amount to the fen
   * (exact), the rate to 0.0001 % and the reduction to 0.0001 t (compiled versions only)
   */
  exact?: { loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
  /**
   * imported statements only: the text the bank printed where the figure holds a plain value (a project
   * count with separators, "1,084"; a rate with its "%", "2.3651 %")
   */
  asPublished?: { projects?: string; weightedAverageRatePercent?: string };
  /** share of the reduction from each method (null when the reduction is zero; compiled versions only) */
  reductionMethods?: MethodShares | null;
};

/**
 * Presents one horizon in `format` (default: two decimals): `reduction` is the exact reduction rounded
 * once to `format.reductionDecimals` decimals of a tonne (with the default format: centitonnes).
 */
export function presentHorizon(
  sums: HorizonSums,
  reduction: bigint,
  mode: RoundingMode,
  format: StatementFormat = DEFAULT_STATEMENT_FORMAT,
): HorizonFigures {
  return {
    projects: sums.projects,
    loanAmountWanYuan: printAmount(sums.principalFen, format, mode),
    weightedAverageRatePercent: printRate(sums.rateWeightedPpmFen, sums.principalFen, format, mode),
    annualReductionTonnes: printReduction(reduction, format),
  };
}

/** The exact figures beside the printed ones (`reduction4`: the reduction rounded to 0.0001 t). */
export function exactFigures(sums: HorizonSums, reduction4: bigint, mode: RoundingMode): NonNullable<HorizonFigures['exact']> {
  const rate = percentUnits(sums.rateWeightedPpmFen, sums.principalFen, EXACT_DECIMALS.rate, mode);
  return {
    loanAmountWanYuan: formatScaled(wanYuanUnits(sums.principalFen, EXACT_DECIMALS.amount, mode), EXACT_DECIMALS.amount),
    weightedAverageRatePercent: rate === null ? null : formatScaled(rate, EXACT_DECIMALS.rate),
    annualReductionTonnes: formatScaled(reduction4, EXACT_DECIMALS.reduction),
  };
}

/**
 * Shares of a reduction by method from the (truncated) reduction sums of each method: 10,000
 * hundredths of a percent apportioned by largest remainder (ties to the method listed first), so the
 * three shares add up to 100.00. Null when the reduction is zero.
 */
export function methodShares(lowerUnits: Record<ReductionMethod, bigint>): MethodShares | null {
  const total = REDUCTION_METHODS.reduce((s, m) => s + lowerUnits[m], 0n);
  if (total === 0n) return null;
  const parts = REDUCTION_METHODS.map((m) => ({ m, q: (lowerUnits[m] * 10_000n) / total, r: (lowerUnits[m] * 10_000n) % total }));
  let spare = 10_000n - parts.reduce((s, p) => s + p.q, 0n);
  for (const p of [...parts].sort((a, b) => (a.r === b.r ? 0 : a.r > b.r ? -1 : 1))) {
    if (spare <= 0n) break;
    if (p.r === 0n) continue;
    p.q += 1n;
    spare -= 1n;
  }
  return Object.fromEntries(parts.map((p) => [p.m, formatScaled(p.q, 2)])) as MethodShares;
}
