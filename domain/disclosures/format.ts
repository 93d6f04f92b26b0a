/**
 * A bank's statement format: how its published figures print. Real statements differ by bank (see
 * the spec's facts, §4.3): Ganzi Rural Commercial Bank prints four decimals ("2.3764%", "11215.5005"),
 * Bank of Shangrao drops trailing zeros ("4.2%", "24428", "4.14%"), several banks write whole amounts
 * without decimals ("10000万元"), BOC and CIB use thousands separators ("1,324,620.45"), and two
 * wording variants exist (A, B). Each printed figure is rounded ONCE from the exact value (divRound with
 * the policy's rounding), then only its text is shaped (separators, trailing zeros).
 */
import { divRound, formatScaled, type RoundingMode } from '../money.js';

export const STATEMENT_VARIANTS = ['A', 'B'] as const;
export type StatementVariant = (typeof STATEMENT_VARIANTS)[number];

export type StatementFormat = {
  /** decimals of amounts in 万元, 0–4 */
  amountDecimals: number;
  /** decimals of weighted average rates in percent, 1–4 */
  rateDecimals: number;
  /** decimals of annual reductions in tonnes CO2e, 0–4 */
  reductionDecimals: number;
  /** an amount whole at its decimals prints without them ("10000" for 10000.00) */
  wholeAmountsWithoutDecimals: boolean;
  /** every figure drops the trailing zeros of its decimals ("4.2" for 4.20, "51962.692" for 51962.6920) */
  trimTrailingZeros: boolean;
  /** thousands separators in the integer part of figures and project counts ("1,324,620.45", "1,084") */
  thousandsSeparators: boolean;
  /** the wording of the statement: A (most banks) or B ("向符合条件的…", "误导性描述", "较典型的项目如…等") */
  variant: StatementVariant;
};

export const DEFAULT_STATEMENT_FORMAT: StatementFormat = {
  amountDecimals: 2,
  rateDecimals: 2,
  reductionDecimals: 2,
  wholeAmountsWithoutDecimals: false,
  trimTrailingZeros: false,
  thousandsSeparators: false,
  variant: 'A',
};

/** The ranges of the format's decimals (the rule named when a setting is refused). */
export const DECIMAL_RANGES = {
  amountDecimals: [0, 4],
  rateDecimals: [1, 4],
  reductionDecimals: [0, 4],
} as const satisfies Record<string, readonly [number, number]>;

/** Violations of the decimals' ranges, each naming its field. */
export function checkFormat(format: StatementFormat): { path: string; code: string; message: string }[] {
  return (Object.keys(DECIMAL_RANGES) as (keyof typeof DECIMAL_RANGES)[]).flatMap((key) => {
    const [min, max] = DECIMAL_RANGES[key];
    const v = format[key];
    return Number.isInteger(v) && v >= min && v <= max
      ? []
      : [{ path: key, code: 'decimals_out_of_range', message: `must be a whole number of decimals from ${min} to ${max}` }];
  });
}

/** Shapes a plain decimal (already rounded): separators, trailing zeros. */
function shape(plain: string, format: StatementFormat, whole: boolean): string {
  const negative = plain.startsWith('-');
  let [int, frac = ''] = (negative ? plain.slice(1) : plain).split('.');
  if (format.trimTrailingZeros) frac = frac.replace(/0+$/, '');
  else if (whole && /^0*$/.test(frac)) frac = '';
  if (format.thousandsSeparators) int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '-' : '') + int + (frac ? `.${frac}` : '');
}

/** Fen → 万元 with `decimals` (1 万元 = 1,000,000 fen), rounded once. */
export const wanYuanUnits = (fen: bigint, decimals: number, mode: RoundingMode) => divRound(fen, 10n ** BigInt(6 - decimals), mode);

/** Σ(rate ppm × fen) ÷ Σ fen → percent with `decimals` (1 % = 10,000 ppm), rounded once; null for no principal. */
export const percentUnits = (rateWeightedPpmFen: bigint, principalFen: bigint, decimals: number, mode: RoundingMode) =>
  principalFen === 0n ? null : divRound(rateWeightedPpmFen * 10n ** BigInt(decimals), principalFen * 10_000n, mode);

export const printAmount = (fen: bigint, format: StatementFormat, mode: RoundingMode) =>
  shape(formatScaled(wanYuanUnits(fen, format.amountDecimals, mode), format.amountDecimals), format, format.wholeAmountsWithoutDecimals);

export function printRate(rateWeightedPpmFen: bigint, principalFen: bigint, format: StatementFormat, mode: RoundingMode): string | null {
  const units = percentUnits(rateWeightedPpmFen, principalFen, format.rateDecimals, mode);
  return units === null ? null : shape(formatScaled(units, format.rateDecimals), format, false);
}

/** A reduction already rounded to `format.reductionDecimals` decimals of a tonne. */
export const printReduction = (units: bigint, format: StatementFormat) =>
  shape(formatScaled(units, format.reductionDecimals), format, false);

/** A project count, with separators when the format has them. */
export const printCount = (n: number, format: StatementFormat) => shape(String(n), format, false);
