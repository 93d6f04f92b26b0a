import { z } from 'zod';
import { IsoDateString } from './common.js';

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
  })
  .meta({ id: 'Policy' });

export const TaxonomyView = z
  .object({
    version: z.string(),
    effectiveFrom: z.string(),
    subAreas: z.array(z.object({ code: z.string(), area: z.string(), areaZh: z.string(), areaEn: z.string(), nameZh: z.string(), nameEn: z.string() })),
  })
  .meta({ id: 'Taxonomy' });

export const LprView = z
  .object({
    confirmedThrough: z.string(),
    fixings: z.array(z.object({ fixedOn: z.string(), oneYearPercent: z.string(), fiveYearPlusPercent: z.string() })),
  })
  .meta({ id: 'LprHistory' });
