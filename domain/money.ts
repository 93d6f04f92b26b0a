/**
 * Exact numbers. No binary floating point anywhere in the facility's arithmetic.
 *
 * - Money is CNY held as integer fen (分) in a bigint: `principalFen`.
 * - Rates are integer parts-per-million of 1 in a bigint: 1.75 % = 0.0175 = 17_500 ppm; a loan at
 *   3.45 % is 34_500 ppm. Percent strings with up to four decimals map exactly (2.1966 % = 21_966 ppm).
 * - Carbon is integer centitonnes (0.01 tCO2e) in a bigint.
 * - Rounding happens once, where a figure is presented or booked, by `divRound` with an explicit mode.
 */

export type RoundingMode = 'half_up' | 'half_even' | 'down' | 'up';

/** a / b for non-negative-denominator bigints, rounded by `mode` (half_up rounds .5 away from zero). */
export function divRound(a: bigint, b: bigint, mode: RoundingMode = 'half_up'): bigint {
  if (b === 0n) throw new Error('divRound: division by zero');
  if (b < 0n) {
    a = -a;
    b = -b;
  }
  const negative = a < 0n;
  const abs = negative ? -a : a;
  let q = abs / b;
  const r = abs % b;
  if (r !== 0n) {
    const twice = 2n * r;
    switch (mode) {
      case 'down':
        break;
      case 'up':
        q += 1n;
        break;
      case 'half_up':
        if (twice >= b) q += 1n;
        break;
      case 'half_even':
        if (twice > b || (twice === b && q % 2n === 1n)) q += 1n;
        break;
    }
  }
  return negative ? -q : q;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string into an integer count of 10^-scale units, refusing more decimals than
 * `scale` (no silent rounding of input). Returns null when the text is not a plain decimal.
 */
export function parseScaled(text: string, scale: number): bigint | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, int, frac = ''] = m;
  if (frac.length > scale) return null;
  const units = BigInt(int + frac.padEnd(scale, '0'));
  return sign ? -units : units;
}

/** Formats an integer count of 10^-scale units as a plain decimal string with exactly `scale` decimals. */
export function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const int = scale === 0 ? digits : digits.slice(0, -scale);
  const frac = scale === 0 ? '' : '.' + digits.slice(-scale);
  return (negative ? '-' : '') + int + frac;
}

export const FEN_SCALE = 2; // yuan strings carry two decimals
export const PERCENT_SCALE = 4; // percent strings carry up to four decimals; 1e-4 % = 1 ppm
export const TONNES_SCALE = 2; // tonnes strings carry two decimals

export const parseYuan = (text: string) => parseScaled(text, FEN_SCALE);
export const formatYuan = (fen: bigint) => formatScaled(fen, FEN_SCALE);

/** "3.45" (percent) → 34_500n ppm. */
export const parsePercentToPpm = (text: string) => parseScaled(text, PERCENT_SCALE);
/** 34_500n ppm → "3.45" with `decimals` decimals (rounded half up from the exact ppm). */
export function formatPpmAsPercent(ppm: bigint, decimals = 2): string {
  const units = divRound(ppm, 10n ** BigInt(PERCENT_SCALE - decimals), 'half_up');
  return formatScaled(units, decimals);
}

export const parseTonnes = (text: string) => parseScaled(text, TONNES_SCALE);
export const formatCentitonnes = (ct: bigint) => formatScaled(ct, TONNES_SCALE);

export const PPM = 1_000_000n;

/** share × amount rounded once (e.g. support = 60 % × principal, half up to the fen). */
export function applyShare(amount: bigint, sharePpm: bigint, mode: RoundingMode = 'half_up'): bigint {
  return divRound(amount * sharePpm, PPM, mode);
}

/** An exact fraction, for figures that must only be rounded when presented. */
export type Fraction = { num: bigint; den: bigint };

/** Fen → 万元 with two decimals: 1 万元 = 1,000,000 fen, so 万元 × 100 = fen / 10,000. */
export function formatFenAsWanYuan(fen: bigint, mode: RoundingMode = 'half_up'): string {
  return formatScaled(divRound(fen, 10_000n, mode), 2);
}
