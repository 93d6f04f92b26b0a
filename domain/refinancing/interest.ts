/**
 * Interest on a support tranche, exact. Within one segment (principal and rate constant) the interest
 * accrued through day d is principal × rate × days ÷ (1e6 × base), where base is the day-count's year
 * (actual/360 → 360). It is rounded once, by the policy's rounding, when booked; the booking for one
 * day is the rounded figure through d less the rounded figure through d − 1, so bookings always sum
 * to the rounded total.
 */
import { daysBetween, type IsoDate } from '../dates.js';
import { divRound, PPM, type Fraction, type RoundingMode } from '../money.js';
import type { DayCount } from '../policy/index.js';

export const DAY_COUNT_BASE_DAYS: Record<DayCount, bigint> = { actual_360: 360n, actual_365: 365n };

export type InterestSegment = {
  principalFen: bigint;
  ratePpm: bigint;
  dayCount: DayCount;
  /** first day of the segment (interest for a day accrues when the day is passed) */
  fromOn: IsoDate;
};

/** The exact interest of `days` days on `principalFen`, as a fraction of a fen. */
export function interestExact(principalFen: bigint, ratePpm: bigint, days: number, dayCount: DayCount): Fraction {
  if (days < 0) throw new Error('interestExact: negative days');
  return { num: principalFen * ratePpm * BigInt(days), den: PPM * DAY_COUNT_BASE_DAYS[dayCount] };
}

/** Interest of the segment from its first day through `through`, rounded once by `rounding`. */
export function accruedThroughFen(segment: InterestSegment, through: IsoDate, rounding: RoundingMode): bigint {
  const days = Math.max(0, daysBetween(segment.fromOn, through));
  const exact = interestExact(segment.principalFen, segment.ratePpm, days, segment.dayCount);
  return divRound(exact.num, exact.den, rounding);
}

/** What is booked for the single day ending on `day`: rounded(through day) − rounded(through day − 1). */
export function dailyAccrualFen(segment: InterestSegment, day: IsoDate, rounding: RoundingMode): bigint {
  const days = daysBetween(segment.fromOn, day);
  if (days <= 0) return 0n;
  const today = interestExact(segment.principalFen, segment.ratePpm, days, segment.dayCount);
  const yesterday = interestExact(segment.principalFen, segment.ratePpm, days - 1, segment.dayCount);
  return divRound(today.num, today.den, rounding) - divRound(yesterday.num, yesterday.den, rounding);
}
