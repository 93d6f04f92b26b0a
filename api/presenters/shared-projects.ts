/** Projects financed by several banks, as the operators' API and page and the public totals show them (pure). */
import type { SharedProjectLoanRow } from '../../db/read-models/shared-projects.js';
import { quarterOf } from '../../domain/dates.js';
import { formatCentitonnes, formatYuan } from '../../domain/money.js';
import { countedOnce, findSharedProjects, type CountedOnce } from '../../domain/disclosures/shared-projects.js';

export const COUNTED_ONCE_RULE =
  'A project financed by several banks (one project of the national register: the same borrower credit code, project name and province, ' +
  "names compared without whitespace, full-width and case differences, or spellings an operator linked) counts as one project, and its reduction as the sum of the banks' attributed reductions but never " +
  "more than the project's own annual reduction; loan amounts still add up. Each bank's own disclosure is unchanged.";

export const presentCountedOnce = (c: CountedOnce) => ({
  sharedProjects: c.sharedProjects,
  projectsNotCounted: c.projectsNotCounted,
  reductionNotCountedTonnes: formatCentitonnes(c.reductionNotCountedCentitonnes),
});

export const presentSharedInTotals = (s: { latest: CountedOnce; sinceInception: CountedOnce }) => ({
  latest: presentCountedOnce(s.latest),
  sinceInception: presentCountedOnce(s.sinceInception),
  rule: COUNTED_ONCE_RULE,
});

/** The operators' listing: the loans of shared projects grouped by the domain rule, with what each counts once. */
export function presentSharedProjects(rows: readonly SharedProjectLoanRow[], through: string | null) {
  const shared = findSharedProjects(rows);
  return {
    through,
    totals: presentCountedOnce(countedOnce(shared)),
    items: shared.map((p) => ({
      creditCode: p.creditCode,
      projectName: p.projectName,
      province: p.province,
      quarters: [...new Set(p.banks.flatMap((b) => b.loans.map((l) => quarterOf(l.disbursedOn))))].sort(),
      banks: p.banks.map((b) => ({
        institution: { code: b.institutionCode, nameZh: b.loans[0].nameZh, nameEn: b.loans[0].nameEn },
        principal: formatYuan(b.principalFen),
        attributedAnnualReductionTonnes: formatCentitonnes(b.attributedCentitonnes),
        loans: b.loans.map((l) => ({
          loanId: l.loanId,
          loanRef: l.loanRef,
          projectRef: l.projectRef,
          principal: formatYuan(l.principalFen),
          disbursedOn: l.disbursedOn,
          quarter: quarterOf(l.disbursedOn),
          attributedAnnualReductionTonnes: formatCentitonnes(l.attributedCentitonnes),
        })),
      })),
      projects: p.projects,
      principal: formatYuan(p.principalFen),
      attributedAnnualReductionTonnes: formatCentitonnes(p.attributedCentitonnes),
      projectAnnualReductionTonnes: formatCentitonnes(p.projectReductionCentitonnes),
      countedOnceTonnes: formatCentitonnes(p.countedOnceCentitonnes),
      notCountedTonnes: formatCentitonnes(p.notCountedCentitonnes),
    })),
  };
}

export type SharedProjectsView = ReturnType<typeof presentSharedProjects>;
