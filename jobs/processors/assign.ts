/** Assigns a verifier to a submitted version by the rule (least loaded, never a conflicted one). */
import { assignByRule } from '../../app/disclosures/verification.js';
import { AssignJob } from '../../schemas/verification.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const assign: Processor = async (ctx, job) => {
  const payload = parsePayload(AssignJob, job.data, job.id);
  const sampling = {
    seed: payload.seed,
    materialityFen: payload.materialityFen ? BigInt(payload.materialityFen) : undefined,
    randomSampleSize: payload.randomSampleSize,
  };
  // no verifier yet is not permanent: one may register; the retry (with backoff) tries again
  const outcome = await performJob(
    ctx,
    job,
    (uc) => assignByRule(uc, { versionId: payload.versionId, rule: payload.rule, assignedBy: payload.assignedBy, sampling }),
    { retryable: ['no_verifier_available'] },
  );
  return outcome.alreadyAssigned ? 'already_assigned' : `assigned ${outcome.verifierCode}`;
};
