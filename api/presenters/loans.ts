/** Loans as the API shows them: pure functions from stored rows and use-case results to view JSON. */
import type { z } from 'zod';
import { formatPercentExact } from '../../domain/loans/facts.js';
import { attributedReduction, formatAttributedReduction, formatBp } from '../../domain/loans/rules.js';
import { formatCentitonnes, formatYuan } from '../../domain/money.js';
import { roundingOf, subAreaAnyVersion } from '../../domain/policy/index.js';
import type { Violation } from '../../domain/result.js';
import type { findLoan, listLoanVersions, listRepayments } from '../../db/repositories/loans.js';
import type { RowResult } from '../../app/loans/submit-loans.js';
import type { BatchResult, LoanSupportView, LoanView } from '../../schemas/loans.js';
import { isCoveredByApprovedSupport, type ApplicationStatus } from '../../domain/disclosures/covered-by-approved-support.js';
import type { LoanSupport } from '../../db/sql/loan-support.js';

export type LoanJoin = NonNullable<Awaited<ReturnType<typeof findLoan>>>;

/** The loan's support status: its live application, that application's latest tranche, and whether it is covered. */
export function presentLoanSupport(support: LoanSupport | null): z.infer<typeof LoanSupportView> {
  if (!support) return { application: null, tranche: null, covered: false };
  return {
    application: {
      id: support.applicationId,
      operation: support.operation,
      status: support.applicationStatus as 'submitted' | 'approved' | 'disbursed',
    },
    tranche:
      support.facilityId && support.facilityStatus && support.facilityMaturesOn
        ? { id: support.facilityId, status: support.facilityStatus, maturesOn: support.facilityMaturesOn }
        : null,
    covered: isCoveredByApprovedSupport([{ active: true, applicationStatus: support.applicationStatus as ApplicationStatus }]),
  };
}

export function presentLoan({ loan, project, institutionCode, support }: LoanJoin): z.infer<typeof LoanView> {
  const area = subAreaAnyVersion(project.subArea)?.area ?? 'unknown';
  return {
    id: loan.id,
    institution: institutionCode,
    loanRef: loan.loanRef,
    version: loan.version,
    borrower: { name: loan.borrowerName, creditCode: loan.borrowerCreditCode },
    project: {
      id: project.id,
      ref: project.ref,
      name: project.name,
      province: project.province,
      subArea: project.subArea,
      area,
      totalInvestment: formatYuan(project.totalInvestmentFen),
      annualReductionTonnes: formatCentitonnes(project.annualReductionCentitonnes),
      reductionBasis: project.reductionBasis as 'feasibility_study',
      evidence: { title: project.evidenceTitle, sha256: project.evidenceSha256 },
      fundedTotal: formatYuan(project.fundedFen),
    },
    principal: formatYuan(loan.principalFen),
    outstandingPrincipal: formatYuan(loan.outstandingFen),
    annualRatePercent: formatPercentExact(loan.ratePpm),
    disbursedOn: loan.disbursedOn,
    maturesOn: loan.maturesOn,
    taxonomyVersion: loan.taxonomyVersion,
    policyVersion: loan.policyVersion,
    attributedAnnualReductionTonnes: formatAttributedReduction(
      attributedReduction({ principalFen: loan.principalFen, project }),
      roundingOf(loan.disbursedOn),
    ),
    lprComparison: {
      tenor: loan.lprTenor,
      month: loan.lprMonth,
      lprPercent: formatPercentExact(loan.lprPpm),
      deviationBp: formatBp(loan.ratePpm - loan.lprPpm),
      withinBand: loan.withinLprBand,
    },
    eligible: loan.eligibility !== 'flagged',
    eligibility: loan.eligibility,
    reasons: loan.flags,
    acceptance: loan.acceptedAt
      ? { by: loan.acceptedBy ?? '', reason: loan.acceptedReason ?? '', at: loan.acceptedAt.toISOString() }
      : null,
    support: presentLoanSupport(support),
    createdAt: loan.createdAt.toISOString(),
    updatedAt: loan.updatedAt.toISOString(),
  };
}

/** A batch's answer: the count of each outcome, and each row with its violations' paths inside the batch (`loans.<index>.…`). */
export function presentBatch(results: RowResult[]): z.infer<typeof BatchResult> {
  const prefixed = results.map((r) =>
    r.status === 'error'
      ? { ...r, errors: r.errors.map((e: Violation) => (e.path.startsWith('loans.') ? e : { ...e, path: `loans.${r.index}.${e.path}` })) }
      : r,
  );
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return { summary: { created: count('created'), unchanged: count('unchanged'), error: count('error') }, results: prefixed };
}

export function presentLoanVersions(versions: Awaited<ReturnType<typeof listLoanVersions>>) {
  return { items: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })) };
}

export function presentRepayments(rows: Awaited<ReturnType<typeof listRepayments>>) {
  return { items: rows.map((r) => ({ id: r.id, repaidOn: r.repaidOn, amount: formatYuan(r.amountFen) })) };
}
