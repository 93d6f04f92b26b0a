/**
 * The thresholds of the checks a disclosure passes before the bank submits it (domain/disclosures/checks.ts):
 * effective-dated policy data, looked up at the quarter's end. Our choices (the sources state none): a
 * loan's attributed reduction above 100 t per 万元 of principal is implausible (a wind farm's is about
 * 2–3 t per 万元); a book's principal-weighted rate more than 200 bp from the principal-weighted LPR its
 * loans were compared with is implausible (the facility asks rates roughly at the LPR).
 */
import type { IsoDate } from '../dates.js';

export type CheckThresholds = {
  effectiveFrom: IsoDate;
  /** a loan's attributed annual reduction per 万元 of principal above this (tonnes) is a quality finding */
  reductionIntensityMaxTonnesPerWanYuan: bigint;
  /** the book's weighted rate further than this from its weighted LPR (basis points) is a quality finding */
  rateFromLprMaxBp: bigint;
};

export const CHECK_THRESHOLDS: readonly CheckThresholds[] = [
  { effectiveFrom: '2021-07-01', reductionIntensityMaxTonnesPerWanYuan: 100n, rateFromLprMaxBp: 200n },
];

/** The thresholds in force on `date` (the first ones before them). */
export function checkThresholdsOn(date: IsoDate, list: readonly CheckThresholds[] = CHECK_THRESHOLDS): CheckThresholds {
  let found = list[0];
  for (const t of list) if (t.effectiveFrom <= date) found = t;
  return found;
}
