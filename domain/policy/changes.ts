/**
 * Operators' changes to the policy data (issue 9, item 6), as data and pure rules:
 * - an LPR fixing (both rates), or a month's fixing confirmed unchanged (`unchanged: true`, no rates);
 * - a policy version, stated as its changes from the version in force the day before its date;
 * - a taxonomy version, stated as the sub-areas it adds to and removes from the taxonomy in force the
 *   day before its date.
 * The change is kept as the API states it (decimal strings), so it can be stored as JSON and shown
 * back unchanged; `checkPolicyChange` judges a proposal against the data in force and
 * `applyPolicyVersionChange` / `applyTaxonomyVersionChange` turn a confirmed one into data.
 */
import type { IsoDate } from '../dates.js';
import { parsePercentToPpm, parseYuan, type RoundingMode } from '../money.js';
import type { Violation } from '../result.js';
import type { LprFixing } from './lpr-fixings.js';
import type { AllocationRule, CollateralType, DayCount, PolicyVersion } from './policy-versions.js';
import type { SubArea, TaxonomyVersion } from './taxonomy.js';
import type { CategoryEligibilityVersion, InstitutionCategory } from './institution-categories.js';
import { checkThresholdsViolations, type CheckThresholdsVersion } from './check-thresholds.js';

export const POLICY_CHANGE_KINDS = [
  'lpr_fixing',
  'policy_version',
  'taxonomy_version',
  'institution_categories',
  'check_thresholds',
] as const;
export type PolicyChangeKind = (typeof POLICY_CHANGE_KINDS)[number];

/** A fixing with both rates, or (`unchanged: true`, no rates) the confirmation that the month's fixing did not change. */
export type LprFixingChange = {
  kind: 'lpr_fixing';
  fixedOn: IsoDate;
  oneYearPercent?: string;
  fiveYearPlusPercent?: string;
  unchanged?: boolean;
};

/** The parameters a policy version may change, named and written as `GET /api/v1/policy` shows them. */
export type PolicyParameterChanges = {
  supportSharePercent?: string;
  ratePercent?: string;
  termYears?: number;
  rolloverCountMax?: number;
  lprBand?: { lowerBp: number; upperBp: number };
  lprOneYearTenorMonthsMax?: number;
  dayCount?: DayCount;
  rounding?: RoundingMode;
  /** null: no annual cap */
  annualCapYuan?: string | null;
  allocationRule?: AllocationRule;
  loansDisbursedFrom?: IsoDate;
  facilityEndOn?: IsoDate;
  taxonomyVersion?: string;
  collateralHaircutPercent?: Partial<Record<CollateralType, string>>;
  verificationMaterialityYuan?: string;
  verificationRandomSampleSize?: number;
  poolShortfallDueDays?: number;
  approvalExpiryDays?: number;
  disclosureDeadlineDays?: number;
};

/** `id` defaults to the effective date (dates are unique among policy versions, so the id is too). */
export type PolicyVersionChange = {
  kind: 'policy_version';
  id?: string;
  effectiveFrom: IsoDate;
  note: string;
  changes: PolicyParameterChanges;
};

export type TaxonomyVersionChange = {
  kind: 'taxonomy_version';
  version: string;
  effectiveFrom: IsoDate;
  note: string;
  changes: { add?: SubArea[]; remove?: string[] };
};

/** From `effectiveFrom`, the categories of institution eligible (all of them, not only the new ones). */
export type InstitutionCategoriesChange = {
  kind: 'institution_categories';
  effectiveFrom: IsoDate;
  note: string;
  categories: InstitutionCategory[];
};

/** From `effectiveFrom`, the thresholds of the checks before signing (every threshold, not only the changed ones). */
export type CheckThresholdsChange = { kind: 'check_thresholds' } & CheckThresholdsVersion;

export type PolicyChangeData =
  LprFixingChange | PolicyVersionChange | TaxonomyVersionChange | InstitutionCategoriesChange | CheckThresholdsChange;

/** A change a second operator confirmed; `changeId` names its row (the audit trail). */
export type ConfirmedPolicyChange = { changeId: string; data: PolicyChangeData };

/** The date a change takes effect: one per kind, never two live changes on the same date. */
export const effectiveDateOf = (c: PolicyChangeData): IsoDate => (c.kind === 'lpr_fixing' ? c.fixedOn : c.effectiveFrom);

/** The version name a change introduces (a policy version's id, a taxonomy version), or null for a fixing. */
export const versionIdOf = (c: PolicyChangeData): string | null =>
  c.kind === 'policy_version' ? (c.id ?? c.effectiveFrom) : c.kind === 'taxonomy_version' ? c.version : null;

/** Is a fixing a confirmation that the month's rates did not change? */
export const isUnchangedConfirmation = (c: LprFixingChange): boolean => c.unchanged === true;

/** The fixing of a change with rates, or null for a confirmation (or rates that do not parse). */
export function fixingOf(c: LprFixingChange): LprFixing | null {
  if (c.unchanged || c.oneYearPercent === undefined || c.fiveYearPlusPercent === undefined) return null;
  const oneYearPpm = parsePercentToPpm(c.oneYearPercent);
  const fiveYearPlusPpm = parsePercentToPpm(c.fiveYearPlusPercent);
  return oneYearPpm === null || fiveYearPlusPpm === null ? null : { fixedOn: c.fixedOn, oneYearPpm, fiveYearPlusPpm };
}

const lastBefore = <T extends { effectiveFrom: IsoDate }>(items: readonly T[], date: IsoDate): T | null => {
  let found: T | null = null;
  for (const item of items) if (item.effectiveFrom < date) found = item;
  return found;
};

/** The policy version a change builds on: the one in force the day before its date. */
export const policyBaseOf = (versions: readonly PolicyVersion[], effectiveFrom: IsoDate) => lastBefore(versions, effectiveFrom);
/** The taxonomy version a change builds on: the one in force the day before its date. */
export const taxonomyBaseOf = (versions: readonly TaxonomyVersion[], effectiveFrom: IsoDate) => lastBefore(versions, effectiveFrom);

/** The version `change` makes of `base` (values that do not parse keep the base's: they were checked before). */
export function applyPolicyVersionChange(base: PolicyVersion, change: PolicyVersionChange): PolicyVersion {
  const c = change.changes;
  const ppm = (text: string | undefined, fallback: bigint) => (text === undefined ? fallback : (parsePercentToPpm(text) ?? fallback));
  const fen = (text: string | undefined, fallback: bigint) => (text === undefined ? fallback : (parseYuan(text) ?? fallback));
  const haircuts = { ...base.collateralHaircutPpm };
  for (const [type, text] of Object.entries(c.collateralHaircutPercent ?? {}) as [CollateralType, string | undefined][]) {
    if (type in haircuts) haircuts[type] = ppm(text, haircuts[type]);
  }
  return {
    ...base,
    id: versionIdOf(change)!,
    effectiveFrom: change.effectiveFrom,
    note: change.note,
    supportSharePpm: ppm(c.supportSharePercent, base.supportSharePpm),
    ratePpm: ppm(c.ratePercent, base.ratePpm),
    termYears: c.termYears ?? base.termYears,
    rolloverCountMax: c.rolloverCountMax ?? base.rolloverCountMax,
    lprBandLowerBp: c.lprBand?.lowerBp ?? base.lprBandLowerBp,
    lprBandUpperBp: c.lprBand?.upperBp ?? base.lprBandUpperBp,
    lprOneYearTenorMonthsMax: c.lprOneYearTenorMonthsMax ?? base.lprOneYearTenorMonthsMax,
    dayCount: c.dayCount ?? base.dayCount,
    rounding: c.rounding ?? base.rounding,
    annualCapFen:
      c.annualCapYuan === undefined ? base.annualCapFen : c.annualCapYuan === null ? null : fen(c.annualCapYuan, base.annualCapFen ?? 0n),
    allocationRule: c.allocationRule ?? base.allocationRule,
    loansDisbursedFrom: c.loansDisbursedFrom ?? base.loansDisbursedFrom,
    facilityEndOn: c.facilityEndOn ?? base.facilityEndOn,
    taxonomyVersion: c.taxonomyVersion ?? base.taxonomyVersion,
    collateralHaircutPpm: haircuts,
    verificationMaterialityFen: fen(c.verificationMaterialityYuan, base.verificationMaterialityFen),
    verificationRandomSampleSize: c.verificationRandomSampleSize ?? base.verificationRandomSampleSize,
    poolShortfallDueDays: c.poolShortfallDueDays ?? base.poolShortfallDueDays,
    approvalExpiryDays: c.approvalExpiryDays ?? base.approvalExpiryDays,
    disclosureDeadlineDays: c.disclosureDeadlineDays ?? base.disclosureDeadlineDays,
  };
}

/** The taxonomy `change` makes of `base`: its sub-areas less those removed, then those added. */
export function applyTaxonomyVersionChange(base: TaxonomyVersion, change: TaxonomyVersionChange): TaxonomyVersion {
  const removed = new Set(change.changes.remove ?? []);
  return {
    version: change.version,
    effectiveFrom: change.effectiveFrom,
    subAreas: [...base.subAreas.filter((s) => !removed.has(s.code)), ...(change.changes.add ?? [])],
  };
}

/** The data a proposal is judged against: the versions and fixings in force (built-in and confirmed). */
export type PolicyDataInForce = {
  policyVersions: readonly PolicyVersion[];
  taxonomyVersions: readonly TaxonomyVersion[];
  categoryEligibilityVersions: readonly CategoryEligibilityVersion[];
  checkThresholdVersions: readonly CheckThresholdsVersion[];
};

/**
 * Every rule a proposed change breaks, each naming its field (paths as in the request body). `today`
 * is the operator's date in Asia/Shanghai: a fixing is published, so it cannot be dated after today;
 * a policy or taxonomy version is announced ahead and may be.
 */
export function checkPolicyChange(data: PolicyDataInForce, change: PolicyChangeData, today: IsoDate): Violation[] {
  const violations: Violation[] = [];
  const v = (path: string, code: string, message: string) => violations.push({ path, code, message });
  const positive = (path: string, text: string | undefined, code: string, what: string) => {
    if (text !== undefined && (parsePercentToPpm(text) ?? 0n) <= 0n) v(path, code, `${what} must be greater than 0`);
  };

  if (change.kind === 'lpr_fixing') {
    if (change.fixedOn > today)
      v('fixedOn', 'fixing_in_future', `a fixing is recorded once published: ${change.fixedOn} is after today (${today})`);
    if (change.unchanged) {
      for (const field of ['oneYearPercent', 'fiveYearPlusPercent'] as const) {
        if (change[field] !== undefined)
          v(field, 'unchanged_with_rates', 'a month confirmed unchanged carries no rates: send either both rates or unchanged: true');
      }
    } else {
      for (const field of ['oneYearPercent', 'fiveYearPlusPercent'] as const) {
        if (change[field] === undefined)
          v(field, 'required', 'a fixing needs both rates (or unchanged: true to confirm that the month did not change)');
        else positive(field, change[field], 'rate_not_positive', 'the rate');
      }
    }
    return violations;
  }

  if (change.kind === 'institution_categories') {
    const first = data.categoryEligibilityVersions[0];
    if (!first || change.effectiveFrom <= first.effectiveFrom)
      v('effectiveFrom', 'before_facility_launch', `the facility opened on ${first?.effectiveFrom}; a new version must be dated after it`);
    if (!change.categories.length) v('categories', 'required', 'at least one category is eligible');
    change.categories.forEach((c, i) => {
      if (change.categories.indexOf(c) !== i) v(`categories.${i}`, 'duplicate_category', `${c} is listed twice`);
    });
    return violations;
  }

  if (change.kind === 'check_thresholds') {
    const first = data.checkThresholdVersions[0];
    if (!first || change.effectiveFrom <= first.effectiveFrom)
      v(
        'effectiveFrom',
        'before_facility_launch',
        `the first thresholds took effect on ${first?.effectiveFrom}; a new version must be dated after it`,
      );
    const known = new Set(data.taxonomyVersions.flatMap((t) => t.subAreas.map((s) => s.code)));
    violations.push(...checkThresholdsViolations(change, known));
    return violations;
  }

  if (change.kind === 'taxonomy_version') {
    const first = data.taxonomyVersions[0];
    const base = taxonomyBaseOf(data.taxonomyVersions, change.effectiveFrom);
    if (!base || !first) {
      v(
        'effectiveFrom',
        'before_facility_launch',
        `the first taxonomy took effect on ${first?.effectiveFrom}; a new version must be dated after it`,
      );
      return violations;
    }
    const add = change.changes.add ?? [];
    const remove = change.changes.remove ?? [];
    if (!add.length && !remove.length) v('changes', 'nothing_changed', 'a new taxonomy version adds or removes at least one sub-area');
    const inBase = new Set(base.subAreas.map((s) => s.code));
    const seen = new Set<string>();
    add.forEach((s, i) => {
      if (seen.has(s.code)) v(`changes.add.${i}.code`, 'duplicate_sub_area', `sub-area ${s.code} is listed twice`);
      else if (inBase.has(s.code) && !remove.includes(s.code))
        v(`changes.add.${i}.code`, 'sub_area_exists', `sub-area ${s.code} is already in taxonomy ${base.version}`);
      seen.add(s.code);
    });
    remove.forEach((code, i) => {
      if (!inBase.has(code))
        v(
          `changes.remove.${i}`,
          'unknown_sub_area',
          `sub-area ${code} is not in taxonomy ${base.version} (in force the day before ${change.effectiveFrom})`,
        );
    });
    const left = base.subAreas.filter((s) => !remove.includes(s.code)).length + add.length;
    if (left === 0) v('changes.remove', 'taxonomy_empty', 'a taxonomy version keeps at least one sub-area');
    return violations;
  }

  const first = data.policyVersions[0];
  const base = policyBaseOf(data.policyVersions, change.effectiveFrom);
  if (!base || !first) {
    v('effectiveFrom', 'before_facility_launch', `the facility launched on ${first?.effectiveFrom}; a new version must be dated after it`);
    return violations;
  }
  const c = change.changes;
  const stated = Object.entries(c).filter(
    ([key, value]) => value !== undefined && !(key === 'collateralHaircutPercent' && Object.keys(value as object).length === 0),
  );
  if (!stated.length) v('changes', 'nothing_changed', `a new version changes at least one parameter of ${base.id}`);
  positive('changes.ratePercent', c.ratePercent, 'rate_not_positive', 'the rate');
  if (c.supportSharePercent !== undefined) {
    const share = parsePercentToPpm(c.supportSharePercent) ?? 0n;
    if (share <= 0n || share > 1_000_000n)
      v('changes.supportSharePercent', 'share_out_of_range', 'the support share is more than 0 and at most 100 %');
  }
  for (const [type, text] of Object.entries(c.collateralHaircutPercent ?? {})) {
    if (text !== undefined && (parsePercentToPpm(text) ?? 1_000_000n) >= 1_000_000n) {
      v(`changes.collateralHaircutPercent.${type}`, 'haircut_out_of_range', 'a haircut is at least 0 and less than 100 %');
    }
  }
  if (c.annualCapYuan !== undefined && c.annualCapYuan !== null && (parseYuan(c.annualCapYuan) ?? 0n) <= 0n) {
    v('changes.annualCapYuan', 'cap_not_positive', 'an annual cap is greater than 0 (null: no cap)');
  }
  if (c.taxonomyVersion !== undefined && !data.taxonomyVersions.some((t) => t.version === c.taxonomyVersion)) {
    v(
      'changes.taxonomyVersion',
      'unknown_taxonomy_version',
      `no taxonomy version ${c.taxonomyVersion} is in force; known: ${data.taxonomyVersions.map((t) => t.version).join(', ')}`,
    );
  }
  if (violations.length) return violations;

  const next = applyPolicyVersionChange(base, change);
  if (next.lprBandLowerBp > next.lprBandUpperBp)
    v(
      'changes.lprBand',
      'band_inverted',
      `the LPR band's lower bound (${next.lprBandLowerBp} bp) is above its upper bound (${next.lprBandUpperBp} bp)`,
    );
  if (next.facilityEndOn < change.effectiveFrom) {
    v(
      c.facilityEndOn !== undefined ? 'changes.facilityEndOn' : 'effectiveFrom',
      'facility_end_before_effective',
      `the facility would end on ${next.facilityEndOn}, before this version takes effect (${change.effectiveFrom}): change facilityEndOn too`,
    );
  }
  if (next.loansDisbursedFrom > next.facilityEndOn) {
    v(
      'changes.loansDisbursedFrom',
      'window_after_facility_end',
      `loans disbursed from ${next.loansDisbursedFrom} would start after the facility ends (${next.facilityEndOn})`,
    );
  }
  return violations;
}
