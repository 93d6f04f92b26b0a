/**
 * The policy data in force: one value holding every policy version, taxonomy version and LPR fixing
 * the rules look up by date (`policyOn`, `taxonomyOn`, `lprOn`, `compareWithLpr`,
 * `policyForLoanDisbursedOn`, `roundingOf`, … in ./index.ts read it when no list is passed).
 *
 * Design:
 * - The built-in constants (./policy-versions.ts, ./taxonomy.ts, ./lpr-fixings.ts) are the data as
 *   the sources state it. Operators add to it through the API (`POST /api/v1/policy/changes`), and a
 *   change takes effect only once a second operator confirms it; confirmed changes are rows of the
 *   `policy_changes` table.
 * - `buildPolicyData(BUILT_IN_POLICY_DATA, confirmed)` is pure: it merges the confirmed changes into
 *   the built-in data in date order (a policy or taxonomy change applies to the version in force the
 *   day before its date, so a back-dated change is inherited by the deltas after it; built-in
 *   versions state every parameter and stand as written). A fixing whose rates equal the fixing in
 *   force before it, or a month confirmed unchanged, adds no fixing (the list holds the dates where a
 *   rate changed, as the built-in one does) but moves `lprConfirmedThrough`.
 * - The value is held here and replaced AS A WHOLE by app/policy/policy-data.ts
 *   (`refreshPolicyData`), which reads the confirmed rows: when the service or a worker starts, right
 *   after a confirmation in this process, and on an interval the entry points own (so other processes
 *   see a confirmation within that interval). A reader sees either the old data or the new, never a
 *   mix, and the domain stays free of I/O: it only reads `policyData()`. Memoised lookups (the loan
 *   rules' per-date cache) compare the value they were built from with `policyData()`.
 * - Until the first refresh (and in tests that never refresh) the built-in data is in force.
 */
import { maxDate, type IsoDate } from '../dates.js';
import {
  applyPolicyVersionChange,
  applyTaxonomyVersionChange,
  fixingOf,
  policyBaseOf,
  taxonomyBaseOf,
  type ConfirmedPolicyChange,
  type PolicyVersionChange,
  type TaxonomyVersionChange,
} from './changes.js';
import { LPR_CONFIRMED_THROUGH, LPR_FIXINGS, type LprFixing } from './lpr-fixings.js';
import { POLICY_VERSIONS, type PolicyVersion } from './policy-versions.js';
import { TAXONOMY_VERSIONS, type TaxonomyVersion } from './taxonomy.js';
import { CATEGORY_ELIGIBILITY_VERSIONS, type CategoryEligibilityVersion } from './institution-categories.js';
import { CHECK_THRESHOLD_VERSIONS, type CheckThresholdsVersion } from './check-thresholds.js';

export type PolicyData = {
  /** in date order; each states every parameter */
  policyVersions: readonly PolicyVersion[];
  /** in date order; each lists every sub-area */
  taxonomyVersions: readonly TaxonomyVersion[];
  /** the dates on which a rate changed, in date order */
  lprFixings: readonly LprFixing[];
  /** the latest date on which the fixing in force was confirmed unchanged */
  lprConfirmedThrough: IsoDate;
  /** in date order: the categories of institution eligible from each date */
  categoryEligibilityVersions: readonly CategoryEligibilityVersion[];
  /** in date order: the thresholds of the checks before signing from each date */
  checkThresholdVersions: readonly CheckThresholdsVersion[];
  /** the confirmed changes merged in, in the order given (the same list gives the same data) */
  changeIds: readonly string[];
};

export const BUILT_IN_POLICY_DATA: PolicyData = {
  policyVersions: POLICY_VERSIONS,
  taxonomyVersions: TAXONOMY_VERSIONS,
  lprFixings: LPR_FIXINGS,
  lprConfirmedThrough: LPR_CONFIRMED_THROUGH,
  categoryEligibilityVersions: CATEGORY_ELIGIBILITY_VERSIONS,
  checkThresholdVersions: CHECK_THRESHOLD_VERSIONS,
  changeIds: [],
};

let inForce: PolicyData = BUILT_IN_POLICY_DATA;

/** The policy data in force in this process. */
export const policyData = (): PolicyData => inForce;

/** Puts `next` in force, whole. Only app/policy/policy-data.ts calls this (and tests resetting it). */
export function replacePolicyData(next: PolicyData): void {
  inForce = next;
}

const byDate =
  <T>(key: (item: T) => IsoDate) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The built-in data with the confirmed changes merged in (see the design above). Pure and total. */
export function buildPolicyData(builtIn: PolicyData, confirmed: readonly ConfirmedPolicyChange[]): PolicyData {
  // LPR: every fixing in date order; an operator's fixing equal to the one before it only confirms it
  let lprConfirmedThrough = builtIn.lprConfirmedThrough;
  const candidates: { fixing: LprFixing; operator: boolean }[] = builtIn.lprFixings.map((fixing) => ({ fixing, operator: false }));
  for (const { data } of confirmed) {
    if (data.kind !== 'lpr_fixing') continue;
    const fixing = fixingOf(data);
    if (fixing) candidates.push({ fixing, operator: true });
    else lprConfirmedThrough = maxDate(lprConfirmedThrough, data.fixedOn);
  }
  candidates.sort(byDate((c) => c.fixing.fixedOn));
  const lprFixings: LprFixing[] = [];
  for (const { fixing, operator } of candidates) {
    const before = lprFixings[lprFixings.length - 1];
    if (operator && before && before.oneYearPpm === fixing.oneYearPpm && before.fiveYearPlusPpm === fixing.fiveYearPlusPpm) {
      lprConfirmedThrough = maxDate(lprConfirmedThrough, fixing.fixedOn);
      continue;
    }
    lprFixings.push(fixing);
  }

  // policy versions: built-in ones as written, operators' changes applied to the version before them
  const policyEvents: ({ built: PolicyVersion } | { change: PolicyVersionChange })[] = [
    ...builtIn.policyVersions.map((built) => ({ built })),
    ...confirmed.flatMap(({ data }) => (data.kind === 'policy_version' ? [{ change: data }] : [])),
  ];
  policyEvents.sort(byDate((e) => ('built' in e ? e.built.effectiveFrom : e.change.effectiveFrom)));
  const policyVersions: PolicyVersion[] = [];
  for (const event of policyEvents) {
    if ('built' in event) policyVersions.push(event.built);
    else {
      const base = policyBaseOf(policyVersions, event.change.effectiveFrom);
      if (base) policyVersions.push(applyPolicyVersionChange(base, event.change));
    }
  }

  const taxonomyEvents: ({ built: TaxonomyVersion } | { change: TaxonomyVersionChange })[] = [
    ...builtIn.taxonomyVersions.map((built) => ({ built })),
    ...confirmed.flatMap(({ data }) => (data.kind === 'taxonomy_version' ? [{ change: data }] : [])),
  ];
  taxonomyEvents.sort(byDate((e) => ('built' in e ? e.built.effectiveFrom : e.change.effectiveFrom)));
  const taxonomyVersions: TaxonomyVersion[] = [];
  for (const event of taxonomyEvents) {
    if ('built' in event) taxonomyVersions.push(event.built);
    else {
      const base = taxonomyBaseOf(taxonomyVersions, event.change.effectiveFrom);
      if (base) taxonomyVersions.push(applyTaxonomyVersionChange(base, event.change));
    }
  }

  // institution categories: every version states all eligible categories, so each stands as written
  const categoryEligibilityVersions: CategoryEligibilityVersion[] = [
    ...builtIn.categoryEligibilityVersions,
    ...confirmed.flatMap(({ data }) =>
      data.kind === 'institution_categories'
        ? [{ effectiveFrom: data.effectiveFrom, categories: [...data.categories], note: data.note }]
        : [],
    ),
  ].sort(byDate((v) => v.effectiveFrom));

  // check thresholds: every version states every threshold, so each stands as written
  const checkThresholdVersions: CheckThresholdsVersion[] = [
    ...builtIn.checkThresholdVersions,
    ...confirmed.flatMap(({ data }) => {
      if (data.kind !== 'check_thresholds') return [];
      const { kind: _kind, ...version } = data;
      return [{ ...version, subAreaIntensity: version.subAreaIntensity ?? [] }];
    }),
  ].sort(byDate((v) => v.effectiveFrom));

  return {
    policyVersions,
    taxonomyVersions,
    lprFixings,
    lprConfirmedThrough,
    categoryEligibilityVersions,
    checkThresholdVersions,
    changeIds: confirmed.map((c) => c.changeId),
  };
}

/** Does the built-in data already hold something on this date (or with this version name)? */
export function builtInConflict(
  builtIn: PolicyData,
  kind: ConfirmedPolicyChange['data']['kind'],
  date: IsoDate,
  versionId: string | null,
): { taken: 'date' | 'version'; message: string } | null {
  if (kind === 'lpr_fixing') {
    if (builtIn.lprFixings.some((f) => f.fixedOn === date))
      return { taken: 'date', message: `the built-in LPR data holds a fixing on ${date}` };
    if (date === builtIn.lprConfirmedThrough)
      return { taken: 'date', message: `the built-in LPR data confirms the fixing unchanged on ${date}` };
    return null;
  }
  if (kind === 'check_thresholds') {
    return builtIn.checkThresholdVersions.some((v) => v.effectiveFrom === date)
      ? { taken: 'date', message: `the built-in check thresholds take effect on ${date}` }
      : null;
  }
  if (kind === 'institution_categories') {
    return builtIn.categoryEligibilityVersions.some((v) => v.effectiveFrom === date)
      ? { taken: 'date', message: `the built-in data opens institution categories on ${date}` }
      : null;
  }
  const versions: readonly { effectiveFrom: IsoDate; name: string }[] =
    kind === 'policy_version'
      ? builtIn.policyVersions.map((p) => ({ effectiveFrom: p.effectiveFrom, name: p.id }))
      : builtIn.taxonomyVersions.map((t) => ({ effectiveFrom: t.effectiveFrom, name: t.version }));
  const what = kind === 'policy_version' ? 'policy version' : 'taxonomy version';
  const onDate = versions.find((x) => x.effectiveFrom === date);
  if (onDate) return { taken: 'date', message: `built-in ${what} ${onDate.name} takes effect on ${date}` };
  if (versionId !== null && versions.some((x) => x.name === versionId))
    return { taken: 'version', message: `a built-in ${what} is named ${versionId}` };
  return null;
}
