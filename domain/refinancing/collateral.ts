/** Collateral (合格质押品): eligible value = market value × (1 − haircut of its type), rounded down to the fen. */
import { divRound, PPM } from '../money.js';
import type { CollateralType, PolicyVersion } from '../policy/index.js';
import { coveragePpm } from './support.js';

export const COLLATERAL_TYPES: readonly CollateralType[] = [
  'central_government_bond',
  'policy_bank_bond',
  'local_government_bond',
  'aaa_credit_bond',
  'high_grade_loan',
];

/** Rounded down (our choice): collateral is never credited with a fraction of a fen it does not have. */
export function eligibleValueFen(marketFen: bigint, type: CollateralType, policy: Pick<PolicyVersion, 'collateralHaircutPpm'>): bigint {
  return divRound(marketFen * (PPM - policy.collateralHaircutPpm[type]), PPM, 'down');
}

export function coverage(eligibleCollateralFen: bigint, exposureFen: bigint) {
  const ppm = coveragePpm(eligibleCollateralFen, exposureFen);
  const shortfallFen = exposureFen > eligibleCollateralFen ? exposureFen - eligibleCollateralFen : 0n;
  return { ppm, shortfallFen, covered: shortfallFen === 0n };
}

/** An application's eligible collateral: the eligible values of its pledged instruments (a released one counts nothing). */
export function eligibleCollateralFen(
  items: readonly { status: string; marketFen: bigint; type: CollateralType }[],
  policy: Pick<PolicyVersion, 'collateralHaircutPpm'>,
): bigint {
  return items.filter((c) => c.status === 'pledged').reduce((sum, c) => sum + eligibleValueFen(c.marketFen, c.type, policy), 0n);
}
