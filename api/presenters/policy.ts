/** Policy versions, the LPR's freshness and operators' changes to the policy data as the API shows them: pure. */
import type { z } from 'zod';
import type { PolicyChangeWithNames } from '../../db/repositories/policy-changes.js';
import { formatPpmAsPercent, formatYuan } from '../../domain/money.js';
import type { LprFreshness, PolicyVersion } from '../../domain/policy/index.js';
import type { LprFreshnessView, PolicyChangeView, PolicyView } from '../../schemas/policy.js';

export function presentPolicy(p: PolicyVersion): z.infer<typeof PolicyView> {
  return {
    id: p.id,
    effectiveFrom: p.effectiveFrom,
    note: p.note,
    supportSharePercent: formatPpmAsPercent(p.supportSharePpm),
    ratePercent: formatPpmAsPercent(p.ratePpm),
    termYears: p.termYears,
    rolloverCountMax: p.rolloverCountMax,
    lprBand: { lowerBp: p.lprBandLowerBp, upperBp: p.lprBandUpperBp },
    lprOneYearTenorMonthsMax: p.lprOneYearTenorMonthsMax,
    dayCount: p.dayCount,
    rounding: p.rounding,
    annualCapYuan: p.annualCapFen === null ? null : formatYuan(p.annualCapFen),
    allocationRule: p.allocationRule,
    loansDisbursedFrom: p.loansDisbursedFrom,
    facilityEndOn: p.facilityEndOn,
    taxonomyVersion: p.taxonomyVersion,
    collateralHaircutPercent: Object.fromEntries(Object.entries(p.collateralHaircutPpm).map(([k, v]) => [k, formatPpmAsPercent(v)])),
    verificationMaterialityYuan: formatYuan(p.verificationMaterialityFen),
    verificationRandomSampleSize: p.verificationRandomSampleSize,
    poolShortfallDueDays: p.poolShortfallDueDays,
    approvalExpiryDays: p.approvalExpiryDays,
    disclosureDeadlineDays: p.disclosureDeadlineDays,
  };
}

export const presentLprFreshness = (f: LprFreshness): z.infer<typeof LprFreshnessView> => ({ ...f });

export function presentPolicyChange({ change: c, proposedByName, decidedByName }: PolicyChangeWithNames): z.infer<typeof PolicyChangeView> {
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    effectiveOn: c.effectiveOn,
    versionId: c.versionId,
    reason: c.reason,
    data: c.data as z.infer<typeof PolicyChangeView>['data'],
    proposedBy: { id: c.proposedBy, name: proposedByName },
    proposedAt: c.proposedAt.toISOString(),
    decision:
      c.status === 'pending' || !c.decidedBy || !c.decidedAt
        ? null
        : { status: c.status, by: { id: c.decidedBy, name: decidedByName ?? '' }, at: c.decidedAt.toISOString(), note: c.decisionNote },
  };
}
