/**
 * Checks a bank's disclosure passes as a whole before it is submitted, in two kinds:
 * - validity (a figure that cannot be): the reduction attributed to one project's loans above the
 *   project's own; a loan disbursed after the quarter it is disclosed in. A validity finding stops the
 *   submission.
 * - quality (implausible): a loan's reduction intensity per 万元 above the threshold; the book's weighted
 *   rate far from the weighted LPR its loans were compared with. Each must be confirmed by the bank with
 *   a reason before it can submit.
 * Thresholds: domain/policy/check-thresholds.ts. Each finding names its subject (a loan, a project or
 * the book), what was measured and the threshold.
 */
import type { IsoDate } from '../dates.js';
import type { CheckThresholds } from '../policy/check-thresholds.js';
import { divRound, formatCentitonnes, formatPpmAsPercent } from '../money.js';

export type CheckLoan = {
  loanRef: string;
  principalFen: bigint;
  ratePpm: bigint;
  /** the LPR the loan was compared with at its disbursement */
  lprPpm: bigint;
  disbursedOn: IsoDate;
  attributedCentitonnes: bigint;
  projectRef: string;
  projectReductionCentitonnes: bigint | null;
};

export type CheckFinding = {
  kind: 'validity' | 'quality';
  check: 'attributed_above_project' | 'loan_after_quarter' | 'reduction_intensity' | 'rate_far_from_lpr';
  /** `loan:<ref>`, `project:<ref>` or `book` */
  subject: string;
  message: string;
};

export function checkDisclosure(input: { quarterEnd: IsoDate; loans: readonly CheckLoan[]; thresholds: CheckThresholds }): CheckFinding[] {
  const { loans, thresholds, quarterEnd } = input;
  const findings: CheckFinding[] = [];
  const byProject = new Map<string, { sum: bigint; own: bigint | null }>();
  for (const l of loans) {
    const p = byProject.get(l.projectRef) ?? { sum: 0n, own: l.projectReductionCentitonnes };
    p.sum += l.attributedCentitonnes;
    byProject.set(l.projectRef, p);
    if (l.disbursedOn > quarterEnd)
      findings.push({
        kind: 'validity',
        check: 'loan_after_quarter',
        subject: `loan:${l.loanRef}`,
        message: `loan ${l.loanRef} was disbursed on ${l.disbursedOn}, after the quarter's end (${quarterEnd})`,
      });
    // t per 万元 = (ct / 100) ÷ (fen / 1,000,000) = ct × 10,000 ÷ fen
    if (l.attributedCentitonnes * 10_000n > thresholds.reductionIntensityMaxTonnesPerWanYuan * l.principalFen) {
      const intensity = divRound(l.attributedCentitonnes * 1_000_000n, l.principalFen);
      findings.push({
        kind: 'quality',
        check: 'reduction_intensity',
        subject: `loan:${l.loanRef}`,
        message: `loan ${l.loanRef} attributes ${formatCentitonnes(intensity)} t per 万元 of principal, above ${thresholds.reductionIntensityMaxTonnesPerWanYuan} t`,
      });
    }
  }
  for (const [ref, p] of byProject) {
    if (p.own !== null && p.sum > p.own)
      findings.push({
        kind: 'validity',
        check: 'attributed_above_project',
        subject: `project:${ref}`,
        message: `project ${ref}: the loans attribute ${formatCentitonnes(p.sum)} t a year, above the project's own ${formatCentitonnes(p.own)} t`,
      });
  }
  const principal = loans.reduce((s, l) => s + l.principalFen, 0n);
  if (principal > 0n) {
    const gap = loans.reduce((s, l) => s + l.principalFen * (l.ratePpm - l.lprPpm), 0n);
    const abs = gap < 0n ? -gap : gap;
    // 1 bp = 100 ppm
    if (abs > thresholds.rateFromLprMaxBp * 100n * principal) {
      const rate = divRound(
        loans.reduce((s, l) => s + l.principalFen * l.ratePpm, 0n),
        principal,
      );
      const lpr = divRound(
        loans.reduce((s, l) => s + l.principalFen * l.lprPpm, 0n),
        principal,
      );
      findings.push({
        kind: 'quality',
        check: 'rate_far_from_lpr',
        subject: 'book',
        message: `the book's weighted rate ${formatPpmAsPercent(rate)} % is ${divRound(abs, principal * 100n)} bp from its weighted LPR ${formatPpmAsPercent(lpr)} %, more than ${thresholds.rateFromLprMaxBp} bp`,
      });
    }
  }
  return findings;
}
