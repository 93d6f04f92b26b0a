/**
 * Which categories of financial institution may use the facility on a date: effective-dated policy
 * data, like the policy versions. The launch notice opened the facility to national institutions only
 * ("暂定为全国性金融机构", 2021-11-08); the notice announced on 2023-01-29 added "部分地方法人金融机构和外资金融机构"
 * (some local legal-person and foreign institutions). The two foreign banks admitted in 2022-08
 * (Deutsche Bank (China), Société Générale (China)) were admitted before their category: they are
 * exceptions, each with its own window (`categoryException` on the institution), not a category
 * version.
 *
 * An institution is eligible on a date when the date is inside its own window (`eligibleFrom` …
 * `eligibleUntil`) and its category is open that date — unless its window is an exception, in which
 * case the window alone decides. An institution without a category (recorded before categories were
 * kept) is judged by its window alone.
 */
import type { IsoDate } from '../dates.js';

export const INSTITUTION_CATEGORIES = ['national', 'local_legal_person', 'foreign'] as const;
export type InstitutionCategory = (typeof INSTITUTION_CATEGORIES)[number];

export const CATEGORY_NAMES: Record<InstitutionCategory, { zh: string; en: string }> = {
  national: { zh: '全国性金融机构', en: 'national institutions' },
  local_legal_person: { zh: '地方法人金融机构', en: 'local legal-person institutions' },
  foreign: { zh: '外资金融机构', en: 'foreign institutions' },
};

/** From `effectiveFrom` the categories listed are eligible (every category, not only the new ones). */
export type CategoryEligibilityVersion = {
  effectiveFrom: IsoDate;
  categories: readonly InstitutionCategory[];
  note: string;
};

export const CATEGORY_ELIGIBILITY_VERSIONS: readonly CategoryEligibilityVersion[] = [
  {
    effectiveFrom: '2021-11-08',
    categories: ['national'],
    note: 'launch: 暂定为全国性金融机构 (national institutions for now)',
  },
  {
    effectiveFrom: '2023-01-29',
    categories: ['national', 'local_legal_person', 'foreign'],
    note: 'extension to end-2024: 部分地方法人金融机构和外资金融机构 added',
  },
];

/** The version in force on `date`, or null before the launch. */
export function categoryEligibilityOn(date: IsoDate, versions: readonly CategoryEligibilityVersion[]): CategoryEligibilityVersion | null {
  let found: CategoryEligibilityVersion | null = null;
  for (const v of versions) if (v.effectiveFrom <= date) found = v;
  return found;
}

/** The first date on or after `date` on which `category` is eligible, or null if no version opens it. */
export function categoryOpensOn(
  category: InstitutionCategory,
  date: IsoDate,
  versions: readonly CategoryEligibilityVersion[],
): IsoDate | null {
  if (categoryEligibilityOn(date, versions)?.categories.includes(category)) return date;
  for (const v of versions) if (v.effectiveFrom > date && v.categories.includes(category)) return v.effectiveFrom;
  return null;
}

export type InstitutionStanding = {
  category: InstitutionCategory | null;
  categoryException: boolean;
  eligibleFrom: IsoDate | null;
  eligibleUntil: IsoDate | null;
};

export type EligibilityOnDate =
  | { eligible: true }
  | { eligible: false; reason: 'outside_window'; message: string }
  | { eligible: false; reason: 'category_not_open'; category: InstitutionCategory; opensOn: IsoDate | null; message: string };

/** Is the institution eligible on `on`? The reason names the window or the date its category opens. */
export function institutionEligibleOn(
  inst: InstitutionStanding,
  on: IsoDate,
  versions: readonly CategoryEligibilityVersion[],
): EligibilityOnDate {
  if ((inst.eligibleFrom && on < inst.eligibleFrom) || (inst.eligibleUntil && on > inst.eligibleUntil)) {
    const window = `${inst.eligibleFrom ?? '…'} – ${inst.eligibleUntil ?? '…'}`;
    return { eligible: false, reason: 'outside_window', message: `${on} is outside the institution's window (${window})` };
  }
  if (inst.category === null || inst.categoryException) return { eligible: true };
  const opensOn = categoryOpensOn(inst.category, on, versions);
  if (opensOn === on) return { eligible: true };
  const name = CATEGORY_NAMES[inst.category].en;
  return {
    eligible: false,
    reason: 'category_not_open',
    category: inst.category,
    opensOn,
    message: opensOn
      ? `${name} may use the facility from ${opensOn} (${on} is before)`
      : `${name} are not eligible on ${on}, and no policy data opens the facility to them`,
  };
}
