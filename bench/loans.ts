/** Loan submissions for the benchmarks: valid, two loans per project, spread over 2022's months. */
import { createHash } from 'node:crypto';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import type { LoanText } from '../domain/loans/facts.js';

export function benchLoans(n: number): LoanText[] {
  const rows: LoanText[] = [];
  for (let i = 0; i < n; i += 2) {
    const first: LoanText = {
      loanRef: `B-${i}`,
      borrower: { name: `某某新能源有限公司${i}`, creditCode: syntheticCreditCode('91110108', i + 1) },
      project: {
        ref: `PRJ-${i}`,
        name: `某某${i}MW风电项目`,
        province: '内蒙古自治区',
        subArea: 'CE.WIND',
        totalInvestment: '800000000.00',
        annualReductionTonnes: '210000.00',
        reductionBasis: 'feasibility_study',
        evidence: { title: '可行性研究报告', sha256: createHash('sha256').update(`evidence-${i}`).digest('hex') },
      },
      principal: '300000000.00',
      annualRatePercent: '3.80',
      disbursedOn: `2022-0${(i % 9) + 1}-15`,
      maturesOn: '2032-08-15',
    };
    rows.push(first);
    if (i + 1 < n) rows.push({ ...first, loanRef: `B-${i + 1}`, principal: '200000000.00', borrower: { ...first.borrower } });
  }
  return rows;
}
