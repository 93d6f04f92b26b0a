/** Looks up the effective-dated policy data by date. Pure: the date is always an argument. */
import type { IsoDate } from '../dates.js';
import { monthsBetween } from '../dates.js';
import { LPR_FIXINGS, type LprFixing } from './lpr-fixings.js';
import { POLICY_VERSIONS, type PolicyVersion } from './policy-versions.js';
import { TAXONOMY_VERSIONS, type SubArea, type TaxonomyVersion } from './taxonomy.js';

export * from './policy-versions.js';
export * from './taxonomy.js';
export * from './lpr-fixings.js';

function lastOnOrBefore<T>(items: readonly T[], date: IsoDate, key: (item: T) => IsoDate): T | null {
  let found: T | null = null;
  for (const item of items) if (key(item) <= date) found = item;
  return found;
}

/** The policy version in force on `date`, or null before the facility's launch. */
export const policyOn = (date: IsoDate, versions: readonly PolicyVersion[] = POLICY_VERSIONS): PolicyVersion | null =>
  lastOnOrBefore(versions, date, (v) => v.effectiveFrom);

export const taxonomyOn = (date: IsoDate, versions: readonly TaxonomyVersion[] = TAXONOMY_VERSIONS): TaxonomyVersion | null =>
  lastOnOrBefore(versions, date, (v) => v.effectiveFrom);

/**
 * The policy that governs a loan disbursed on `date`: the one in force that day or, for a loan of the
 * first window (disbursed before the launch but on or after the launch policy's `loansDisbursedFrom`:
 * the first disclosures cover the second half of 2021), the launch policy. Null before the first window.
 */
export function policyForLoanDisbursedOn(date: IsoDate, versions: readonly PolicyVersion[] = POLICY_VERSIONS): PolicyVersion | null {
  const inForce = policyOn(date, versions);
  if (inForce) return inForce;
  const first = versions[0];
  return first && date >= first.loansDisbursedFrom ? first : null;
}

/** The taxonomy that governs a loan disbursed on `date` (the launch policy's for the first window). */
export function taxonomyForLoanDisbursedOn(date: IsoDate): TaxonomyVersion | null {
  const inForce = taxonomyOn(date);
  if (inForce) return inForce;
  const policy = policyForLoanDisbursedOn(date);
  return policy ? (TAXONOMY_VERSIONS.find((v) => v.version === policy.taxonomyVersion) ?? null) : null;
}

export function subAreaOn(code: string, date: IsoDate): SubArea | null {
  return taxonomyOn(date)?.subAreas.find((s) => s.code === code) ?? null;
}

/** The rounding in force on a date (the launch policy's before launch: a figure still gets one stated rounding). */
export const roundingOf = (date: IsoDate) => (policyOn(date) ?? POLICY_VERSIONS[0]).rounding;

/** Any version's definition of a code (for presenting loans booked under an older taxonomy). */
export function subAreaAnyVersion(code: string): SubArea | null {
  for (let i = TAXONOMY_VERSIONS.length - 1; i >= 0; i--) {
    const found = TAXONOMY_VERSIONS[i].subAreas.find((s) => s.code === code);
    if (found) return found;
  }
  return null;
}

/** The LPR fixing in force on `date` (the latest fixing on or before it). */
export const lprOn = (date: IsoDate, fixings: readonly LprFixing[] = LPR_FIXINGS): LprFixing | null =>
  lastOnOrBefore(fixings, date, (f) => f.fixedOn);

export type LprTenor = '1y' | '5y_plus';

export type LprComparison = {
  tenor: LprTenor;
  /** month of the fixing the loan is compared with, 'YYYY-MM' */
  month: string;
  lprPpm: bigint;
  /** loan rate − LPR, in basis points (exact: 1 bp = 100 ppm, a deviation may carry decimals of a bp) */
  deviationPpm: bigint;
  withinBand: boolean;
};

/** Compares a loan's rate with the same-tenor LPR in force on its disbursement date. */
export function compareWithLpr(input: {
  ratePpm: bigint;
  disbursedOn: IsoDate;
  maturesOn: IsoDate;
  policy: PolicyVersion;
}): LprComparison | null {
  const fixing = lprOn(input.disbursedOn);
  if (!fixing) return null;
  const termMonths = monthsBetween(input.disbursedOn, input.maturesOn);
  const tenor: LprTenor = termMonths <= input.policy.lprOneYearTenorMonthsMax ? '1y' : '5y_plus';
  const lprPpm = tenor === '1y' ? fixing.oneYearPpm : fixing.fiveYearPlusPpm;
  const deviationPpm = input.ratePpm - lprPpm;
  const withinBand =
    deviationPpm >= BigInt(input.policy.lprBandLowerBp) * 100n && deviationPpm <= BigInt(input.policy.lprBandUpperBp) * 100n;
  return { tenor, month: fixing.fixedOn.slice(0, 7), lprPpm, deviationPpm, withinBand };
}
