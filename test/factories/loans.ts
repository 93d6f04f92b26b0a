/** Valid loan submissions, overridable field by field. */
import { createHash } from 'node:crypto';
import { syntheticCreditCode } from '../../domain/loans/credit-code.js';
import type { LoanText } from '../../domain/loans/facts.js';

let sequence = 0;

/** A valid unified social credit code whose middle part varies with `n`. */
export const validCreditCode = (n: number): string => syntheticCreditCode('91110108', n);

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The request body of POST /api/v1/loans (API.md), as decimal strings. */
export type LoanRequest = LoanText;

export function loanRequest(overrides: DeepPartial<LoanRequest> = {}): LoanRequest {
  sequence += 1;
  const base: LoanRequest = {
    loanRef: `LOAN-${process.pid}-${sequence}`,
    borrower: { name: `某某新能源有限公司${sequence}`, creditCode: validCreditCode(sequence) },
    project: {
      ref: `PRJ-${process.pid}-${sequence}`,
      name: `某某${sequence}MW风电项目`,
      province: '内蒙古自治区',
      subArea: 'CE.WIND',
      totalInvestment: '800000000.00',
      annualReductionTonnes: '210000.00',
      reductionBasis: 'feasibility_study',
      evidence: { title: '可行性研究报告', sha256: createHash('sha256').update(`evidence-${sequence}`).digest('hex') },
    },
    principal: '300000000.00',
    annualRatePercent: '3.80',
    disbursedOn: '2022-08-15',
    maturesOn: '2032-08-15',
  };
  return {
    ...base,
    ...overrides,
    borrower: { ...base.borrower, ...overrides.borrower },
    project: { ...base.project, ...overrides.project, evidence: { ...base.project.evidence, ...overrides.project?.evidence } },
  } as LoanRequest;
}
