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
import { divRound, formatFenAsWanYuan, formatScaled, type RoundingMode } from '../money.js';

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

export type HorizonFigures = {
  projects: number;
  loanAmountWanYuan: string;
  /** null when no loan is counted (a weighted average of nothing is undefined) */
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
};

/** Presents one horizon: 万元 and tonnes with two decimals, the rate in percent with two decimals. */
export function presentHorizon(sums: HorizonSums, reductionCentitonnes: bigint, mode: RoundingMode): HorizonFigures {
  return {
    projects: sums.projects,
    loanAmountWanYuan: formatFenAsWanYuan(sums.principalFen, mode),
    // percent with two decimals = ppm / 100, so Σ(rate×principal) / (Σprincipal × 100)
    weightedAverageRatePercent:
      sums.principalFen === 0n ? null : formatScaled(divRound(sums.rateWeightedPpmFen, sums.principalFen * 100n, mode), 2),
    annualReductionTonnes: formatScaled(reductionCentitonnes, 2),
  };
}
