/**
 * A carbon-reduction loan as the facility sees it: its facts, the request text they come from, and
 * the canonical text and hash that make a resubmission of the same loan recognisable. Pure.
 */
import { createHash } from 'node:crypto';
import type { IsoDate } from '../dates.js';
import { formatCentitonnes, formatYuan, parsePercentToPpm, parseTonnes, parseYuan } from '../money.js';

export type ProjectFacts = {
  ref: string;
  name: string;
  province: string;
  subArea: string;
  totalInvestmentFen: bigint;
  annualReductionCentitonnes: bigint;
  reductionBasis: string;
  evidenceTitle: string;
  evidenceSha256: string;
};

export type LoanFacts = {
  loanRef: string;
  borrowerName: string;
  borrowerCreditCode: string;
  project: ProjectFacts;
  principalFen: bigint;
  ratePpm: bigint;
  disbursedOn: IsoDate;
  maturesOn: IsoDate;
};

/** The request shape with decimal strings (already shape-checked by the schema). */
export type LoanText = {
  loanRef: string;
  borrower: { name: string; creditCode: string };
  project: {
    ref: string;
    name: string;
    province: string;
    subArea: string;
    totalInvestment: string;
    annualReductionTonnes: string;
    reductionBasis: string;
    evidence: { title: string; sha256: string };
  };
  principal: string;
  annualRatePercent: string;
  disbursedOn: string;
  maturesOn: string;
};

const must = (value: bigint | null, what: string): bigint => {
  if (value === null) throw new Error(`loan text not shape-checked: ${what}`);
  return value;
};

export function loanFactsFromText(t: LoanText): LoanFacts {
  return {
    loanRef: t.loanRef,
    borrowerName: t.borrower.name,
    borrowerCreditCode: t.borrower.creditCode,
    project: {
      ref: t.project.ref,
      name: t.project.name,
      province: t.project.province,
      subArea: t.project.subArea,
      totalInvestmentFen: must(parseYuan(t.project.totalInvestment), 'totalInvestment'),
      annualReductionCentitonnes: must(parseTonnes(t.project.annualReductionTonnes), 'annualReductionTonnes'),
      reductionBasis: t.project.reductionBasis,
      evidenceTitle: t.project.evidence.title,
      evidenceSha256: t.project.evidence.sha256,
    },
    principalFen: must(parseYuan(t.principal), 'principal'),
    ratePpm: must(parsePercentToPpm(t.annualRatePercent), 'annualRatePercent'),
    disbursedOn: t.disbursedOn,
    maturesOn: t.maturesOn,
  };
}

/** The canonical text of a loan: equal content gives equal text whatever the input's formatting. */
export function loanTextFromFacts(f: LoanFacts): LoanText {
  return {
    loanRef: f.loanRef,
    borrower: { name: f.borrowerName, creditCode: f.borrowerCreditCode },
    project: {
      ref: f.project.ref,
      name: f.project.name,
      province: f.project.province,
      subArea: f.project.subArea,
      totalInvestment: formatYuan(f.project.totalInvestmentFen),
      annualReductionTonnes: formatCentitonnes(f.project.annualReductionCentitonnes),
      reductionBasis: f.project.reductionBasis,
      evidence: { title: f.project.evidenceTitle, sha256: f.project.evidenceSha256 },
    },
    principal: formatYuan(f.principalFen),
    annualRatePercent: formatPercentExact(f.ratePpm),
    disbursedOn: f.disbursedOn,
    maturesOn: f.maturesOn,
  };
}

/** ppm → percent text with as many decimals as needed (2 to 4): 34_500n → "3.45", 21_966n → "2.1966". */
export function formatPercentExact(ppm: bigint): string {
  const whole = ppm / 10_000n;
  let frac = (ppm % 10_000n).toString().padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${whole}.${frac}`;
}

/**
 * SHA-256 of the canonical content: the same loan submitted again hashes the same, whatever the
 * input's number formatting (amounts enter as integers). Fields are joined with the unit separator,
 * which the schema's text fields cannot usefully carry.
 */
export function loanContentSha256(f: LoanFacts): string {
  const p = f.project;
  const canonical = [
    'loan/1',
    f.loanRef,
    f.borrowerName,
    f.borrowerCreditCode,
    p.ref,
    p.name,
    p.province,
    p.subArea,
    p.totalInvestmentFen,
    p.annualReductionCentitonnes,
    p.reductionBasis,
    p.evidenceTitle,
    p.evidenceSha256,
    f.principalFen,
    f.ratePpm,
    f.disbursedOn,
    f.maturesOn,
  ].join('\u001f');
  return createHash('sha256').update(canonical).digest('hex');
}
