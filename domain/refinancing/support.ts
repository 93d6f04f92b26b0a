/**
 * Support amounts: the policy's share (60 %) of eligible principal, rounded once by the policy's
 * rounding (half up) on the total, then apportioned to the loans so the parts sum to the total.
 */
import { applyShare, divRound, formatYuan, PPM } from '../money.js';
import { fail, ok, type Result } from '../result.js';
import type { PolicyVersion } from '../policy/index.js';

export const supportFen = (eligiblePrincipalFen: bigint, policy: Pick<PolicyVersion, 'supportSharePpm' | 'rounding'>): bigint =>
  applyShare(eligiblePrincipalFen, policy.supportSharePpm, policy.rounding);

/**
 * Splits `totalFen` over `weightsFen` in proportion (largest remainder): every part is rounded down
 * to the fen, then the fen left over go one each to the parts with the largest remainders, ties to
 * the earlier part. The parts sum to `totalFen` exactly.
 */
export function apportion(totalFen: bigint, weightsFen: readonly bigint[]): bigint[] {
  const weightSum = weightsFen.reduce((a, b) => a + b, 0n);
  if (weightSum === 0n) return weightsFen.map(() => 0n);
  const parts = weightsFen.map((w) => (totalFen * w) / weightSum);
  const remainders = weightsFen.map((w, index) => ({ index, rem: (totalFen * w) % weightSum }));
  let left = totalFen - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index] += 1n;
    left -= 1n;
  }
  return parts;
}

/** Per-loan support: the total is 60 % of the summed principal (one rounding), apportioned by principal. */
export function supportByLoan(principalsFen: readonly bigint[], policy: Pick<PolicyVersion, 'supportSharePpm' | 'rounding'>) {
  const totalFen = supportFen(
    principalsFen.reduce((a, b) => a + b, 0n),
    policy,
  );
  return { totalFen, partsFen: apportion(totalFen, principalsFen) };
}

/** Coverage as ppm of 1 (1_000_000 = 100 %), rounded down; null when there is nothing to cover. */
export function coveragePpm(eligibleCollateralFen: bigint, exposureFen: bigint): bigint | null {
  if (exposureFen <= 0n) return null;
  return divRound(eligibleCollateralFen * PPM, exposureFen, 'down');
}

/** A loan a partial approval left out, with what was left of the approval when its turn came (less than its support). */
export type LeftOut<L> = L & { roomFen: bigint };

/**
 * What a partial approval (or a pro-rata allocation) covers: whole loans, in the order the application
 * lists them, each covered when its support still fits in what is left of `approvedFen`; a loan that
 * does not fit is skipped and the next is tried. The approved amount becomes the covered loans' support
 * (never more than `approvedFen`); the loans left out are free for a later application.
 */
export function coverWholeLoans<L extends { loanId: string; supportFen: bigint }>(
  loans: readonly L[],
  approvedFen: bigint,
): Result<{ covered: L[]; left: LeftOut<L>[]; approvedFen: bigint }, 'approval_covers_no_loan'> {
  const covered: L[] = [];
  const left: LeftOut<L>[] = [];
  let room = approvedFen;
  for (const loan of loans) {
    if (loan.supportFen <= room) {
      covered.push(loan);
      room -= loan.supportFen;
    } else left.push({ ...loan, roomFen: room });
  }
  if (covered.length === 0) {
    const smallest = loans.reduce<bigint | null>((min, l) => (min === null || l.supportFen < min ? l.supportFen : min), null) ?? 0n;
    return fail(
      'approval_covers_no_loan',
      'amount',
      `an approval of ${formatYuan(approvedFen)} covers no listed loan: the smallest loan's support is ${formatYuan(smallest)}`,
    );
  }
  return ok({ covered, left, approvedFen: approvedFen - room });
}

/**
 * The pool shortfall of a tranche: what its outstanding principal exceeds the policy's share (60 %) of
 * the underlying loans' outstanding eligible principal by (0 when it does not). Owed by the bank.
 */
export const poolShortfallFen = (
  trancheOutstandingFen: bigint,
  poolOutstandingEligibleFen: bigint,
  policy: Pick<PolicyVersion, 'supportSharePpm' | 'rounding'>,
): bigint => {
  const allowedFen = supportFen(poolOutstandingEligibleFen, policy);
  return trancheOutstandingFen > allowedFen ? trancheOutstandingFen - allowedFen : 0n;
};

export type CoverNote = { code: 'support_does_not_fit' | 'approval_covers_less_than_asked'; message: string };

/** Why a loan was left out of an approval: its support did not fit in what was left when its turn came. */
export const leftOutReason = (loan: { supportFen: bigint; roomFen: bigint }): CoverNote => ({
  code: 'support_does_not_fit',
  message: `its support of ${formatYuan(loan.supportFen)} did not fit in the ${formatYuan(loan.roomFen)} of the approval left after the loans listed before it; the loan is free for a later application`,
});

/**
 * The warnings of an approval of `askedFen` that covers whole loans worth `approvedFen` of support: one
 * when it covers less than asked, naming the loans left out (none when it covers what was asked).
 */
export function coverWarnings(
  askedFen: bigint,
  cover: { approvedFen: bigint; left: readonly { loanRef: string; supportFen: bigint }[] },
): CoverNote[] {
  if (cover.approvedFen >= askedFen) return [];
  const names = cover.left.map((l) => `${l.loanRef} (support ${formatYuan(l.supportFen)})`).join(', ');
  return [
    {
      code: 'approval_covers_less_than_asked',
      message: `the approval of ${formatYuan(askedFen)} covers whole loans with ${formatYuan(cover.approvedFen)} of support, ${formatYuan(askedFen - cover.approvedFen)} less than asked; ${cover.left.length} loan${cover.left.length === 1 ? '' : 's'} left out: ${names}`,
    },
  ];
}
