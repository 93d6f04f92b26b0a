/**
 * Allocating a quarter's remaining volume across the applications awaiting decision, by the policy's
 * allocation rule. `pro_rata_by_request`: when the requests fit, each gets its request; otherwise each
 * gets remaining × request ÷ Σ requests rounded down to the fen, and the fen left over go one each to
 * the largest remainders, ties to the earlier submission. The total never exceeds the volume.
 */
import type { AllocationRule } from '../policy/index.js';
import { apportion } from './support.js';

export type AllocationRequest = { applicationId: string; requestedFen: bigint };

export function allocate(
  rule: AllocationRule,
  remainingFen: bigint,
  requests: readonly AllocationRequest[],
): { applicationId: string; approvedFen: bigint }[] {
  const wanted = requests.reduce((a, r) => a + r.requestedFen, 0n);
  if (wanted <= remainingFen) return requests.map((r) => ({ applicationId: r.applicationId, approvedFen: r.requestedFen }));
  switch (rule) {
    case 'pro_rata_by_request': {
      const parts = apportion(
        remainingFen > 0n ? remainingFen : 0n,
        requests.map((r) => r.requestedFen),
      );
      return requests.map((r, i) => ({ applicationId: r.applicationId, approvedFen: parts[i] }));
    }
  }
}
