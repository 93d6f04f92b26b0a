/** The national register of projects as the operators' API and page show it (pure). */
import type { RegisterEntrySummary, RegisterLoanRow } from '../../db/read-models/projects.js';
import { divRound, formatCentitonnes, formatYuan } from '../../domain/money.js';
import { attributionFigures, entryState, type ProjectFigures } from '../../domain/projects/register.js';

const figures = (f: ProjectFigures) => ({
  totalInvestment: formatYuan(f.totalInvestmentFen),
  annualReductionTonnes: formatCentitonnes(f.annualReductionCentitonnes),
});

export function presentProjectSummary(s: RegisterEntrySummary) {
  const state = entryState({ decided: s.decided, declared: s.declared, fundedFen: s.fundedFen });
  return {
    id: s.id,
    creditCode: s.creditCode,
    name: s.name,
    province: s.province,
    banks: s.banks,
    funded: formatYuan(s.fundedFen),
    state: {
      conflict: state.conflict,
      overfunded: state.overfunded,
      excess: formatYuan(state.excessFen),
      registeredInvestment: state.registeredInvestmentFen === null ? '0.00' : formatYuan(state.registeredInvestmentFen),
    },
    declared: s.declared.map(figures),
    decided: s.decided ? { ...figures(s.decided), decidedAt: s.decided.at.toISOString(), reason: s.decided.reason } : null,
  };
}

export type ProjectSummaryView = ReturnType<typeof presentProjectSummary>;

/** One entry with every bank's loans; each loan's attributed reduction rounded half up to the centitonne, as disclosures freeze it. */
export function presentProject(s: RegisterEntrySummary, loans: readonly RegisterLoanRow[], mergedInto: string | null) {
  const attributed = (l: RegisterLoanRow) => {
    const f = attributionFigures({
      own: { totalInvestmentFen: l.totalInvestmentFen, annualReductionCentitonnes: l.annualReductionCentitonnes },
      decided: s.decided,
      fundedFen: s.fundedFen,
    });
    return divRound(f.reductionCentitonnes * l.principalFen, f.denominatorFen, 'half_up');
  };
  const byBank = new Map<string, RegisterLoanRow[]>();
  for (const l of loans) byBank.set(l.institutionCode, [...(byBank.get(l.institutionCode) ?? []), l]);
  const spellings = new Map<string, { creditCode: string; name: string; province: string; loans: number }>();
  for (const l of loans) {
    const key = `${l.creditCode}\u0000${l.projectName}\u0000${l.province}`;
    const seen = spellings.get(key);
    if (seen) seen.loans += 1;
    else spellings.set(key, { creditCode: l.creditCode, name: l.projectName, province: l.province, loans: 1 });
  }
  const total = loans.reduce((sum, l) => sum + attributed(l), 0n);
  return {
    ...presentProjectSummary(s),
    mergedInto,
    spellings: [...spellings.values()],
    attributedAnnualReductionTonnes: formatCentitonnes(total),
    byBank: [...byBank.entries()].map(([, ls]) => ({
      institution: { code: ls[0].institutionCode, nameZh: ls[0].nameZh, nameEn: ls[0].nameEn },
      principal: formatYuan(ls.reduce((sum, l) => sum + l.principalFen, 0n)),
      attributedAnnualReductionTonnes: formatCentitonnes(ls.reduce((sum, l) => sum + attributed(l), 0n)),
      loans: ls.map((l) => ({
        id: l.loanId,
        loanRef: l.loanRef,
        projectRef: l.projectRef,
        projectName: l.projectName,
        province: l.province,
        creditCode: l.creditCode,
        disbursedOn: l.disbursedOn,
        principal: formatYuan(l.principalFen),
        declared: figures(l),
        attributedAnnualReductionTonnes: formatCentitonnes(attributed(l)),
      })),
    })),
  };
}
