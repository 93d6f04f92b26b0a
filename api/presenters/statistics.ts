/** The facility's figures as the API shows them: yuan and tonnes as decimal strings. */
import type { z } from 'zod';
import { formatCentitonnes, formatPpmAsPercent, formatYuan } from '../../domain/money.js';
import type { FacilityFigures, Loans, Support } from '../../domain/statistics/facility-figures.js';
import type { FacilityFiguresView } from '../../schemas/statistics.js';

const loans = (l: Loans) => ({
  loans: l.loans,
  loansPrincipal: formatYuan(l.principalFen),
  enterprises: l.enterprises,
  projects: l.projects,
  annualReductionTonnes: formatCentitonnes(l.reductionCentitonnes),
});
const support = (s: Support) => ({
  provided: formatYuan(s.providedFen),
  outstanding: formatYuan(s.outstandingFen),
  weightedRatePercent: s.weightedRatePpm === null ? null : formatPpmAsPercent(s.weightedRatePpm),
  tranches: s.tranches,
  institutions: s.institutions,
});

export function presentFigures(f: FacilityFigures): z.infer<typeof FacilityFiguresView> {
  return {
    on: f.on,
    total: { ...support(f.total), ...loans(f.total) },
    byCategory: f.byCategory.map((c) => ({ category: c.category, ...support(c), ...loans(c) })),
    byInstitution: f.byInstitution.map((b) => ({
      code: b.code,
      nameZh: b.nameZh,
      nameEn: b.nameEn,
      category: b.category,
      province: b.province,
      ...support(b),
      ...loans(b),
    })),
    byProvince: f.byProvince.map((p) => ({ province: p.province, ...loans(p) })),
    byArea: f.byArea.map((a) => ({ area: a.area, ...loans(a) })),
    bySubArea: f.bySubArea.map((a) => ({ subArea: a.subArea, ...loans(a) })),
  };
}

/** The published part: no bank's own line. */
export const presentPublicFigures = (f: FacilityFigures) => ({ ...presentFigures(f), byInstitution: [] });
