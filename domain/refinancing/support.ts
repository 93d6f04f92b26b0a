/**
 * Support amounts: the policy's share (60 %) of eligible principal, rounded once by the policy's
 * rounding (half up) on the total, then apportioned to the loans so the parts sum to the total.
 */
import { applyShare, divRound, PPM } from '../money.js';
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
