import { z } from 'zod';
import { AREA_NAMES, type Area } from '../domain/policy/taxonomy.js';
import { INSTITUTION_CATEGORIES } from '../domain/policy/institution-categories.js';
import { POLICY_CHANGE_KINDS } from '../domain/policy/changes.js';
import { IsoDateString, matching, PageQuery, PercentString, YuanString } from './common.js';

export const OnDateQuery = z.object({ on: IsoDateString.optional() }).strict();

export const PolicyView = z
  .object({
    id: z.string(),
    effectiveFrom: z.string(),
    note: z.string(),
    supportSharePercent: z.string(),
    ratePercent: z.string(),
    termYears: z.number().int(),
    rolloverCountMax: z.number().int(),
    lprBand: z.object({ lowerBp: z.number().int(), upperBp: z.number().int() }),
    lprOneYearTenorMonthsMax: z.number().int(),
    dayCount: z.string(),
    rounding: z.string(),
    annualCapYuan: z.string().nullable(),
    allocationRule: z.string(),
    loansDisbursedFrom: z.string(),
    facilityEndOn: z.string(),
    taxonomyVersion: z.string(),
    collateralHaircutPercent: z.record(z.string(), z.string()),
    verificationMaterialityYuan: z.string(),
    verificationRandomSampleSize: z.number().int(),
    poolShortfallDueDays: z.number().int(),
    approvalExpiryDays: z.number().int(),
    disclosureDeadlineDays: z.number().int(),
  })
  .meta({ id: 'Policy' });

export const TaxonomyView = z
  .object({
    version: z.string(),
    effectiveFrom: z.string(),
    subAreas: z.array(
      z.object({ code: z.string(), area: z.string(), areaZh: z.string(), areaEn: z.string(), nameZh: z.string(), nameEn: z.string() }),
    ),
  })
  .meta({ id: 'Taxonomy' });

/** How old the LPR data is: `stale` after `staleAfterDays` days without a fixing or a month confirmed unchanged. */
export const LprFreshnessView = z
  .object({
    latestFixingOn: z.string(),
    ageDays: z.number().int(),
    staleAfterDays: z.number().int(),
    stale: z.boolean(),
    message: z.string().nullable(),
  })
  .meta({ id: 'LprFreshness' });

export const LprView = z
  .object({
    confirmedThrough: z.string(),
    freshness: LprFreshnessView,
    fixings: z.array(z.object({ fixedOn: z.string(), oneYearPercent: z.string(), fiveYearPlusPercent: z.string() })),
  })
  .meta({ id: 'LprHistory' });

export const PolicyAnswer = z.object({
  on: z.string(),
  policy: PolicyView,
  versions: z.array(z.object({ id: z.string(), effectiveFrom: z.string(), note: z.string() })),
  lpr: LprFreshnessView,
});

// ---- operators' changes to the policy data (proposed by one operator, confirmed by another)

const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain the NUL character', params: { code: 'invalid_character' } });

const VersionName = matching(
  /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/,
  'invalid_version_name',
  'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
);
const SubAreaCode = matching(
  /^[A-Z]{2}\.[A-Z0-9_]{1,40}$/,
  'invalid_sub_area_code',
  'must be like CE.WIND: two capitals, a dot, then capitals, digits or _',
);
const BasisPoints = z.number().int().min(-10_000).max(10_000);
const AREAS = Object.keys(AREA_NAMES) as [Area, ...Area[]];

export const LprFixingData = z
  .object({
    kind: z.literal('lpr_fixing'),
    fixedOn: IsoDateString,
    oneYearPercent: PercentString.optional(),
    fiveYearPlusPercent: PercentString.optional(),
    /** true: the month's fixing did not change (no rates) */
    unchanged: z.boolean().optional(),
  })
  .strict();

export const PolicyParameterChangesInput = z
  .object({
    supportSharePercent: PercentString.optional(),
    ratePercent: PercentString.optional(),
    termYears: z.number().int().min(1).max(30).optional(),
    rolloverCountMax: z.number().int().min(0).max(20).optional(),
    lprBand: z.object({ lowerBp: BasisPoints, upperBp: BasisPoints }).strict().optional(),
    lprOneYearTenorMonthsMax: z.number().int().min(1).max(600).optional(),
    dayCount: z.enum(['actual_360', 'actual_365']).optional(),
    rounding: z.enum(['half_up', 'half_even', 'down', 'up']).optional(),
    annualCapYuan: YuanString.nullable().optional(),
    allocationRule: z.enum(['pro_rata_by_request']).optional(),
    loansDisbursedFrom: IsoDateString.optional(),
    facilityEndOn: IsoDateString.optional(),
    taxonomyVersion: VersionName.optional(),
    collateralHaircutPercent: z
      .object({
        central_government_bond: PercentString.optional(),
        policy_bank_bond: PercentString.optional(),
        local_government_bond: PercentString.optional(),
        aaa_credit_bond: PercentString.optional(),
        high_grade_loan: PercentString.optional(),
      })
      .strict()
      .optional(),
    verificationMaterialityYuan: YuanString.optional(),
    verificationRandomSampleSize: z.number().int().min(0).max(10_000).optional(),
    poolShortfallDueDays: z.number().int().min(1).max(3_650).optional(),
    approvalExpiryDays: z.number().int().min(1).max(365).optional(),
    disclosureDeadlineDays: z.number().int().min(1).max(366).optional(),
  })
  .strict()
  .meta({
    id: 'PolicyParameterChanges',
    description: 'the parameters that change from the version in force the day before; the others carry over',
  });

export const PolicyVersionData = z
  .object({
    kind: z.literal('policy_version'),
    /** default: the effective date */
    id: VersionName.optional(),
    effectiveFrom: IsoDateString,
    note: text(500),
    changes: PolicyParameterChangesInput,
  })
  .strict();

export const SubAreaInput = z
  .object({ code: SubAreaCode, area: z.enum(AREAS), nameZh: text(200), nameEn: text(200) })
  .strict()
  .meta({ id: 'SubAreaInput' });

export const TaxonomyVersionData = z
  .object({
    kind: z.literal('taxonomy_version'),
    version: VersionName,
    effectiveFrom: IsoDateString,
    note: text(500),
    changes: z.object({ add: z.array(SubAreaInput).max(500).optional(), remove: z.array(SubAreaCode).max(500).optional() }).strict(),
  })
  .strict();

export const InstitutionCategoriesData = z
  .object({
    kind: z.literal('institution_categories'),
    effectiveFrom: IsoDateString,
    note: text(500),
    categories: z
      .array(z.enum(INSTITUTION_CATEGORIES))
      .min(1)
      .max(3)
      .describe('every category eligible from the date, not only the new ones'),
  })
  .strict();

const TonnesText = z
  .string()
  .regex(/^\d{1,6}(\.\d{1,2})?$/, 'a number of tonnes, two decimals at most')
  .meta({ example: '100' });
const IntensityRangeInput = z
  .object({ minTonnesPerWanYuan: TonnesText, maxTonnesPerWanYuan: TonnesText })
  .strict()
  .describe('tonnes of annual reduction per 万元 of principal; a loan outside the range is a quality finding');

export const CheckThresholdsData = z
  .object({
    kind: z.literal('check_thresholds'),
    effectiveFrom: IsoDateString,
    note: text(500),
    intensity: IntensityRangeInput,
    subAreaIntensity: z
      .array(IntensityRangeInput.extend({ subArea: z.string().min(1).max(64).meta({ example: 'CE.WIND' }) }).strict())
      .max(100)
      .optional()
      .describe("ranges replacing `intensity` for one sub-area's loans (`unknown_sub_area`, `duplicate_sub_area`, `range_inverted`)"),
    rateFromLprMaxBp: z.number().int().min(1).max(10_000).meta({ example: 200 }),
    quarterJumpFactor: z
      .string()
      .regex(/^\d{1,4}(\.\d{1,2})?$/, 'a factor, two decimals at most')
      .meta({ example: '5' })
      .describe('a quarter more than this many times, or under 1/this, of the mean of the last four (`factor_out_of_range`: above 1)'),
    projectSharePercent: PercentString.describe("one project's share of the bank's reduction or amount above it is a macro finding"),
    areaSharePercent: PercentString.describe("one area's share of the bank's reduction or amount above it is a macro finding"),
    sharesMinInstitutions: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .meta({ example: 10 })
      .describe('the shares are judged only when the facility has at least this many institutions with loans'),
  })
  .strict();

const Reason = text(2000);

export const PolicyChangeBody = z
  .discriminatedUnion(
    'kind',
    [
      LprFixingData.extend({ reason: Reason }),
      PolicyVersionData.extend({ reason: Reason }),
      TaxonomyVersionData.extend({ reason: Reason }),
      InstitutionCategoriesData.extend({ reason: Reason }),
      CheckThresholdsData.extend({ reason: Reason }),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? 'kind must be lpr_fixing, policy_version, taxonomy_version, institution_categories or check_thresholds'
          : undefined,
    },
  )
  .meta({
    id: 'PolicyChangeProposal',
    description:
      'an LPR fixing (or a month confirmed unchanged), a policy version, a taxonomy version, the institution categories eligible from a date or the thresholds of the checks before signing from a date, with the reason for it',
  });

export const ConfirmPolicyChangeBody = z
  .object({ comment: text(2000).optional() })
  .strict()
  .meta({ id: 'ConfirmPolicyChange' });
export const DeclinePolicyChangeBody = z.object({ reason: Reason }).strict().meta({ id: 'DeclinePolicyChange' });

export const PolicyChangeListQuery = PageQuery.extend({
  status: z.enum(['pending', 'confirmed', 'declined']).optional(),
  kind: z.enum(POLICY_CHANGE_KINDS).optional(),
}).strict();

const Who = z.object({ id: z.string(), name: z.string() });

export const PolicyChangeView = z
  .object({
    id: z.string(),
    kind: z.enum(POLICY_CHANGE_KINDS),
    status: z.enum(['pending', 'confirmed', 'declined']),
    effectiveOn: z.string(),
    versionId: z.string().nullable(),
    reason: z.string(),
    data: z.union([LprFixingData, PolicyVersionData, TaxonomyVersionData, InstitutionCategoriesData, CheckThresholdsData]),
    proposedBy: Who,
    proposedAt: z.string(),
    decision: z.object({ status: z.enum(['confirmed', 'declined']), by: Who, at: z.string(), note: z.string().nullable() }).nullable(),
  })
  .meta({ id: 'PolicyChange' });

const CheckThresholdsVersionView = CheckThresholdsData.omit({ kind: true }).extend({
  subAreaIntensity: z.array(IntensityRangeInput.extend({ subArea: z.string() })),
});

export const CheckThresholdsView = z
  .object({
    on: z.string(),
    inForce: CheckThresholdsVersionView.describe('the thresholds in force on the date'),
    versions: z.array(CheckThresholdsVersionView).describe('every version, in date order'),
  })
  .meta({ id: 'CheckThresholds' });
