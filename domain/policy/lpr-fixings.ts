/**
 * Loan Prime Rate fixings where a rate changed (cerf-facts.md §3.1). Each fixing is in force from its
 * date until the next; months without a change carry the previous values. Rates in ppm of 1.
 */
import type { IsoDate } from '../dates.js';
import { parsePercentToPpm } from '../money.js';

export type LprFixing = { fixedOn: IsoDate; oneYearPpm: bigint; fiveYearPlusPpm: bigint };

const ppm = (percent: string): bigint => {
  const value = parsePercentToPpm(percent);
  if (value === null) throw new Error(`bad LPR literal ${percent}`);
  return value;
};
const f = (fixedOn: IsoDate, oneYear: string, fiveYearPlus: string): LprFixing => ({
  fixedOn,
  oneYearPpm: ppm(oneYear),
  fiveYearPlusPpm: ppm(fiveYearPlus),
});

export const LPR_FIXINGS: readonly LprFixing[] = [
  f('2019-08-20', '4.25', '4.85'),
  f('2019-09-20', '4.20', '4.85'),
  f('2019-11-20', '4.15', '4.80'),
  f('2020-02-20', '4.05', '4.75'),
  f('2020-04-20', '3.85', '4.65'),
  f('2021-12-20', '3.80', '4.65'),
  f('2022-01-20', '3.70', '4.60'),
  f('2022-05-20', '3.70', '4.45'),
  f('2022-08-22', '3.65', '4.30'),
  f('2023-06-20', '3.55', '4.20'),
  f('2023-08-21', '3.45', '4.20'),
  f('2024-02-20', '3.45', '3.95'),
  f('2024-07-22', '3.35', '3.85'),
  f('2024-10-21', '3.10', '3.60'),
  f('2025-05-20', '3.00', '3.50'),
];

/** Latest fixing date confirmed unchanged in the sources (values carry forward to it and beyond). */
export const LPR_CONFIRMED_THROUGH: IsoDate = '2026-08-20';

/**
 * The LPR is fixed monthly (on the 20th, or the next working day): the latest fixing known (a change,
 * or a month confirmed unchanged) older than this many days means a month was missed (our choice: one
 * month and a margin for holidays).
 */
export const LPR_STALE_AFTER_DAYS = 40;
