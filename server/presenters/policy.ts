/** Policy versions as the API shows them: pure. */
import type { z } from 'zod';
import { formatPpmAsPercent, formatYuan } from '../../domain/money.js';
import type { PolicyVersion } from '../../domain/policy/index.js';
import type { PolicyView } from '../../schemas/policy.js';

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
  };
}
