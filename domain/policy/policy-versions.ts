/**
 * The facility's rules as effective-dated data. Each version states every parameter in full, so the
 * version in force on a date is simply the last one whose `effectiveFrom` is on or before it.
 * Sources: ../shared/spec/cerf-facts.md §1 (our choices where the sources are silent are marked).
 */
import type { IsoDate } from '../dates.js';
import type { RoundingMode } from '../money.js';

export type DayCount = 'actual_360' | 'actual_365';
export type AllocationRule = 'pro_rata_by_request';
export type CollateralType =
  'central_government_bond' | 'policy_bank_bond' | 'local_government_bond' | 'aaa_credit_bond' | 'high_grade_loan';

export type PolicyVersion = {
  id: string;
  effectiveFrom: IsoDate;
  note: string;
  /** share of eligible loan principal the PBoC funds: 60 % = 600_000 ppm */
  supportSharePpm: bigint;
  /** rate charged to the institution on a tranche: 1.75 % = 17_500 ppm */
  ratePpm: bigint;
  termYears: number;
  rolloverCountMax: number;
  /** a loan rate counts as "roughly equal to the same-tenor LPR" inside [lpr + lower, lpr + upper] (basis points) */
  lprBandLowerBp: number;
  lprBandUpperBp: number;
  /**
   * a loan maturing on or before the same day this many months after its disbursement compares with the
   * 1-year LPR; one maturing later, by a single day, with the 5-year-plus LPR (`lprTenorOf`)
   */
  lprOneYearTenorMonthsMax: number;
  dayCount: DayCount;
  rounding: RoundingMode;
  /** cap on the sum of a calendar year's operation volumes, or null when there is none */
  annualCapFen: bigint | null;
  allocationRule: AllocationRule;
  /** loans disbursed before this date are never eligible (our choice: the first disclosures cover H2 2021) */
  loansDisbursedFrom: IsoDate;
  /** last day on which support may be applied for */
  facilityEndOn: IsoDate;
  taxonomyVersion: string;
  /** haircut per collateral type: eligible value = market value × (1 − haircut) */
  collateralHaircutPpm: Record<CollateralType, bigint>;
  /** a disclosure's verifier checks every loan with a principal above this … */
  verificationMaterialityFen: bigint;
  /** … plus this many other loans drawn at random (seeded) */
  verificationRandomSampleSize: number;
  /** days after a pool shortfall is raised by which the bank must repay the excess */
  poolShortfallDueDays: number;
  /** days a proposed operator act (four eyes) waits for a second operator's confirmation before it expires */
  approvalExpiryDays: number;
  /** a bank publishes its disclosure of a quarter within this many days after the quarter's end */
  disclosureDeadlineDays: number;
};

const LAUNCH: PolicyVersion = {
  id: '2021-11-launch',
  effectiveFrom: '2021-11-08',
  note: 'PBoC launches CERF: 60 % of principal, 1.75 %, one year, rollable twice; facility to end-2022',
  supportSharePpm: 600_000n,
  ratePpm: 17_500n,
  termYears: 1,
  rolloverCountMax: 2,
  // our choice: "大致持平" has no published tolerance; ±150 bp keeps real disclosed averages inside
  lprBandLowerBp: -150,
  lprBandUpperBp: 150,
  // our choice: the LPR has only 1Y and 5Y+ tenors; up to five years (counted from the dates) compares with the 1Y LPR
  lprOneYearTenorMonthsMax: 60,
  // our choice: no public source states the PBoC's day count
  dayCount: 'actual_360',
  rounding: 'half_up',
  annualCapFen: null,
  allocationRule: 'pro_rata_by_request',
  loansDisbursedFrom: '2021-07-01',
  facilityEndOn: '2022-12-31',
  taxonomyVersion: '2021-11',
  // our choice: the qualifying instruments and haircuts are not public
  collateralHaircutPpm: {
    central_government_bond: 0n,
    policy_bank_bond: 20_000n,
    local_government_bond: 50_000n,
    aaa_credit_bond: 100_000n,
    high_grade_loan: 300_000n,
  },
  // our choice: the verification programme's sampling rules are not public
  verificationMaterialityFen: 10_000_000_000n, // 1 亿元
  verificationRandomSampleSize: 10,
  // our choice: no public source states when a shortfall must be repaid
  poolShortfallDueDays: 30,
  // our choice: a proposal not confirmed within two weeks is stale and must be proposed again
  approvalExpiryDays: 14,
  // our choice: no public source states a deadline; banks' statements appear within weeks of the quarter's end
  disclosureDeadlineDays: 30,
};

const withChanges = (
  base: PolicyVersion,
  changes: Partial<PolicyVersion> & Pick<PolicyVersion, 'id' | 'effectiveFrom' | 'note'>,
): PolicyVersion => ({
  ...base,
  ...changes,
});

const EXTENDED_2024 = withChanges(LAUNCH, {
  id: '2023-01-extension',
  // announced 2023-01-29; the notice continued the facility (延续实施) from the start of 2023, without a
  // break after the launch policy's end on 2022-12-31, so it is in force from 2023-01-01
  effectiveFrom: '2023-01-01',
  note: 'Facility continued (延续实施) from 2023-01-01 to end-2024 (announced 2023-01-29); some local legal-person and foreign institutions added',
  facilityEndOn: '2024-12-31',
});

const EXTENDED_2027 = withChanges(EXTENDED_2024, {
  id: '2024-08-extension',
  effectiveFrom: '2024-08-11',
  note: 'Facility extended to end-2027',
  facilityEndOn: '2027-12-31',
});

const RATE_150 = withChanges(EXTENDED_2027, {
  id: '2025-05-rate-cut',
  // announced 2025-05-07; the exact effective date is unconfirmed (our choice: the next day)
  effectiveFrom: '2025-05-08',
  note: 'Special structural tool rate cut from 1.75 % to 1.50 %',
  ratePpm: 15_000n,
});

const QUARTERLY_2026 = withChanges(RATE_150, {
  id: '2026-01-quarterly',
  effectiveFrom: '2026-01-15',
  note: 'Quarterly operations with an annual cap of 8,000 亿元; three more supported fields',
  annualCapFen: 80_000_000_000_000n, // 8,000 亿元 = 800,000,000,000 yuan
  taxonomyVersion: '2026-01',
});

const RATE_125 = withChanges(QUARTERLY_2026, {
  id: '2026-01-rate-cut',
  effectiveFrom: '2026-01-19',
  note: 'Special structural tool rate cut to 1.25 %',
  ratePpm: 12_500n,
});

export const POLICY_VERSIONS: readonly PolicyVersion[] = [LAUNCH, EXTENDED_2024, EXTENDED_2027, RATE_150, QUARTERLY_2026, RATE_125];
