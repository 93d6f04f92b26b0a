/**
 * The verifier's sample of a disclosure's loans: every loan whose principal is above the materiality
 * threshold, plus a seeded random draw of the rest. The draw ranks loans by SHA-256(seed ":" loan id),
 * so the same seed over the same loans always gives the same sample, on any machine.
 */
import { createHash } from 'node:crypto';

export type SampleCandidate = { id: string; principalFen: bigint };
export type SampledLoan = { id: string; reason: 'material' | 'random'; ordinal: number };

export const drawRank = (seed: string, loanId: string) => createHash('sha256').update(`${seed}:${loanId}`, 'utf8').digest('hex');

export function drawSample(input: {
  candidates: readonly SampleCandidate[];
  materialityFen: bigint;
  randomSampleSize: number;
  seed: string;
}): SampledLoan[] {
  const material = input.candidates
    .filter((c) => c.principalFen > input.materialityFen)
    .sort((a, b) => (a.principalFen === b.principalFen ? (a.id < b.id ? -1 : 1) : a.principalFen > b.principalFen ? -1 : 1));
  const rest = input.candidates
    .filter((c) => c.principalFen <= input.materialityFen)
    .map((c) => ({ id: c.id, rank: drawRank(input.seed, c.id) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, Math.max(0, input.randomSampleSize));
  return [
    ...material.map((c, i) => ({ id: c.id, reason: 'material' as const, ordinal: i + 1 })),
    ...rest.map((c, i) => ({ id: c.id, reason: 'random' as const, ordinal: material.length + i + 1 })),
  ];
}
