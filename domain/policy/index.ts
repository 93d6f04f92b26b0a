/**
 * Looks up the effective-dated policy data by date. Pure: the date is always an argument, and the
 * data is the one in force (./registry.ts: the built-in constants merged with the changes operators
 * confirmed) unless a list is passed.
 */
import type { IsoDate } from '../dates.js';
import { addMonths, daysBetween, maxDate } from '../dates.js';
import { LPR_STALE_AFTER_DAYS, type LprFixing } from './lpr-fixings.js';
import type { PolicyVersion } from './policy-versions.js';
import { policyData, type PolicyData } from './registry.js';
import type { SubArea, TaxonomyVersion } from './taxonomy.js';
import { checkThresholdsVersionOn, parseCheckThresholds, type CheckThresholds, type CheckThresholdsVersion } from './check-thresholds.js';

export * from './policy-versions.js';
export * from './taxonomy.js';
export * from './lpr-fixings.js';
export * from './registry.js';
export * from './changes.js';
export * from './institution-categories.js';
export * from './check-thresholds.js';

function lastOnOrBefore<T>(items: readonly T[], date: IsoDate, key: (item: T) => IsoDate): T | null {
  let found: T | null = null;
  for (const item of items) if (key(item) <= date) found = item;
  return found;
}

/** The policy version in force on `date`, or null before the facility's launch. */
export const policyOn = (date: IsoDate, versions: readonly PolicyVersion[] = policyData().policyVersions): PolicyVersion | null =>
  lastOnOrBefore(versions, date, (v) => v.effectiveFrom);

export const taxonomyOn = (date: IsoDate, versions: readonly TaxonomyVersion[] = policyData().taxonomyVersions): TaxonomyVersion | null =>
  lastOnOrBefore(versions, date, (v) => v.effectiveFrom);

/**
 * The policy that governs a loan disbursed on `date`: the one in force that day or, for a loan of the
 * first window (disbursed before the launch but on or after the launch policy's `loansDisbursedFrom`:
 * the first disclosures cover the second half of 2021), the launch policy. Null before the first window.
 */
export function policyForLoanDisbursedOn(
  date: IsoDate,
  versions: readonly PolicyVersion[] = policyData().policyVersions,
): PolicyVersion | null {
  const inForce = policyOn(date, versions);
  if (inForce) return inForce;
  const first = versions[0];
  return first && date >= first.loansDisbursedFrom ? first : null;
}

/** The taxonomy that governs a loan disbursed on `date` (the launch policy's for the first window). */
export function taxonomyForLoanDisbursedOn(date: IsoDate): TaxonomyVersion | null {
  const data = policyData();
  const inForce = taxonomyOn(date, data.taxonomyVersions);
  if (inForce) return inForce;
  const policy = policyForLoanDisbursedOn(date, data.policyVersions);
  return policy ? (data.taxonomyVersions.find((v) => v.version === policy.taxonomyVersion) ?? null) : null;
}

export function subAreaOn(code: string, date: IsoDate): SubArea | null {
  return taxonomyOn(date)?.subAreas.find((s) => s.code === code) ?? null;
}

/** The rounding in force on a date (the launch policy's before launch: a figure still gets one stated rounding). */
export function roundingOf(date: IsoDate) {
  const versions = policyData().policyVersions;
  return (policyOn(date, versions) ?? versions[0]).rounding;
}

/** Any version's definition of a code (for presenting loans booked under an older taxonomy). */
export function subAreaAnyVersion(code: string): SubArea | null {
  const versions = policyData().taxonomyVersions;
  for (let i = versions.length - 1; i >= 0; i--) {
    const found = versions[i].subAreas.find((s) => s.code === code);
    if (found) return found;
  }
  return null;
}

/** The LPR fixing in force on `date` (the latest fixing on or before it). */
export const lprOn = (date: IsoDate, fixings: readonly LprFixing[] = policyData().lprFixings): LprFixing | null =>
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

/**
 * The LPR tenor of a loan, from its dates: the 1-year LPR while the loan matures on or before the same
 * day `lprOneYearTenorMonthsMax` months (five years) after its disbursement, the 5-year-plus LPR when it
 * matures later, by a single day. A day the target month lacks becomes its last day, as for a tranche's
 * maturity: five years from 29 February 2024 end on 28 February 2029.
 */
export function lprTenorOf(input: {
  disbursedOn: IsoDate;
  maturesOn: IsoDate;
  policy: Pick<PolicyVersion, 'lprOneYearTenorMonthsMax'>;
}): LprTenor {
  return input.maturesOn <= addMonths(input.disbursedOn, input.policy.lprOneYearTenorMonthsMax) ? '1y' : '5y_plus';
}

/** Compares a loan's rate with the same-tenor LPR in force on its disbursement date. */
export function compareWithLpr(input: {
  ratePpm: bigint;
  disbursedOn: IsoDate;
  maturesOn: IsoDate;
  policy: PolicyVersion;
}): LprComparison | null {
  const fixing = lprOn(input.disbursedOn);
  if (!fixing) return null;
  const tenor = lprTenorOf(input);
  const lprPpm = tenor === '1y' ? fixing.oneYearPpm : fixing.fiveYearPlusPpm;
  const deviationPpm = input.ratePpm - lprPpm;
  const withinBand =
    deviationPpm >= BigInt(input.policy.lprBandLowerBp) * 100n && deviationPpm <= BigInt(input.policy.lprBandUpperBp) * 100n;
  return { tenor, month: fixing.fixedOn.slice(0, 7), lprPpm, deviationPpm, withinBand };
}

export type LprFreshness = {
  /** the latest date known for the LPR: its last change or the last month confirmed unchanged */
  latestFixingOn: IsoDate;
  /** days from that date to today (0 when the data reaches today or beyond) */
  ageDays: number;
  staleAfterDays: number;
  stale: boolean;
  /** what to do about it, when stale */
  message: string | null;
};

/** How old the LPR data is on `today`: stale after `LPR_STALE_AFTER_DAYS` days without a fixing or a confirmation. */
export function lprFreshness(today: IsoDate, data: PolicyData = policyData()): LprFreshness {
  const last = data.lprFixings[data.lprFixings.length - 1];
  const latestFixingOn = last ? maxDate(last.fixedOn, data.lprConfirmedThrough) : data.lprConfirmedThrough;
  const ageDays = Math.max(0, daysBetween(latestFixingOn, today));
  const stale = ageDays > LPR_STALE_AFTER_DAYS;
  return {
    latestFixingOn,
    ageDays,
    staleAfterDays: LPR_STALE_AFTER_DAYS,
    stale,
    message: stale
      ? `the latest LPR fixing known is of ${latestFixingOn}, ${ageDays} days ago (more than ${LPR_STALE_AFTER_DAYS}): loans are compared with it as if unchanged; an operator adds the missing fixing, or confirms the month unchanged, with POST /api/v1/policy/changes`
      : null,
  };
}

/** The thresholds of the checks before signing in force on `date`, parsed. */
export const checkThresholdsOn = (
  date: IsoDate,
  versions: readonly CheckThresholdsVersion[] = policyData().checkThresholdVersions,
): CheckThresholds => parseCheckThresholds(checkThresholdsVersionOn(date, versions));
