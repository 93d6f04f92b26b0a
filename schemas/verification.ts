/** Verification: conflicts, assignment, findings, verdict; and the rule-assignment job payload. */
import { z } from 'zod';
import { YuanString } from './common.js';

export const DeclareConflictBody = z
  .object({ bank: z.string().min(1).max(50), reason: z.string().min(1).max(2000) })
  .strict()
  .meta({ id: 'DeclareConflict' });

export const AssignBody = z
  .union([
    z
      .object({
        verifier: z.string().min(1).max(50),
        seed: z.string().min(1).max(200).optional(),
        materialityThreshold: YuanString.optional(),
        randomSampleSize: z.number().int().min(0).max(1000).optional(),
      })
      .strict(),
    z
      .object({
        rule: z.literal('least_loaded'),
        seed: z.string().min(1).max(200).optional(),
        materialityThreshold: YuanString.optional(),
        randomSampleSize: z.number().int().min(0).max(1000).optional(),
      })
      .strict(),
  ])
  .meta({ id: 'AssignVerifier', description: 'name a verifier, or let the rule pick the least-loaded non-conflicted one (as a job)' });

export const FindingsBody = z
  .object({
    findings: z
      .array(
        z
          .object({
            loanId: z.string().uuid(),
            check: z.enum(['area', 'amount', 'rate', 'reduction', 'evidence']),
            outcome: z.enum(['pass', 'fail']),
            note: z.string().max(4000).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict()
  .meta({ id: 'Findings' });

export const VerdictBody = z
  .object({ verdict: z.enum(['verified', 'rejected']), summary: z.string().min(1).max(8000) })
  .strict()
  .meta({ id: 'Verdict' });

export const AssignJob = z.object({
  versionId: z.string().uuid(),
  rule: z.literal('least_loaded'),
  assignedBy: z.string().uuid().nullable(),
  seed: z.string().optional(),
  materialityFen: z.string().regex(/^\d+$/).optional(),
  randomSampleSize: z.number().int().optional(),
});

export const SampledLoan = z.object({
  ordinal: z.number().int(),
  loanId: z.string(),
  reason: z.enum(['material', 'random']),
  snapshot: z.record(z.string(), z.unknown()),
});

export const Assignment = z
  .object({
    id: z.string(),
    disclosure: z.object({ institution: z.string(), quarter: z.string(), version: z.number().int(), contentSha256: z.string() }),
    verifier: z.string(),
    assignedHow: z.string(),
    assignedAt: z.string(),
    sampling: z.object({ seed: z.string(), materialityThreshold: z.string(), randomSampleSize: z.number().int() }),
    verdict: z.enum(['verified', 'rejected']).nullable(),
    summary: z.string().nullable(),
    completedOn: z.string().nullable(),
    reportSha256: z.string().nullable(),
  })
  .meta({ id: 'VerificationAssignment' });

/** A correction of a finding before the verdict: the new outcome, its note, and why the first was wrong. */
export const SupersedeFindingBody = z
  .object({
    outcome: z.enum(['pass', 'fail']),
    note: z.string().max(4000).optional(),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();
