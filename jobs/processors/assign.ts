/** Assigns a verifier to a submitted version by the rule (least loaded, never a conflicted one). */
import { UnrecoverableError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { findVersionById } from '../../db/repositories/disclosures.js';
import { markDone } from '../../db/repositories/outbox.js';
import { assignVerifier, findAssignmentForVersion, pickVerifierByRule } from '../../db/repositories/verification.js';
import { disclosureVersions } from '../../db/schema/index.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { policyOn } from '../../domain/policy/index.js';
import { AssignJob } from '../../schemas/verification.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const assign: Processor = async (ctx, job) => {
  const payload = parsePayload(AssignJob, job.data, job.id);
  return ctx.db.transaction(async (tx) => {
    await tx.select({ id: disclosureVersions.id }).from(disclosureVersions).where(eq(disclosureVersions.id, payload.versionId)).for('update');
    const version = await findVersionById(tx, payload.versionId);
    if (!version) throw new UnrecoverableError(`disclosure version ${payload.versionId} does not exist`);
    if (await findAssignmentForVersion(tx, version.id)) {
      await markDone(tx, job.id);
      return 'already_assigned';
    }
    if (version.status !== 'submitted') throw new UnrecoverableError(`cannot assign a disclosure that is ${version.status}`);
    const verifier = await pickVerifierByRule(tx, version.institutionId);
    // no verifier yet is not permanent: one may register; the retry (with backoff) tries again
    if (!verifier) throw new Error('no verifier available that is not conflicted with the bank');
    const policy = policyOn(quarterPeriod(version.quarter).end)!;
    const assigned = await assignVerifier(tx, version, {
      verifierId: verifier.id,
      assignedBy: payload.assignedBy,
      assignedHow: 'least_loaded',
      seed: payload.seed ?? version.id,
      materialityFen: payload.materialityFen ? BigInt(payload.materialityFen) : policy.verificationMaterialityFen,
      randomSampleSize: payload.randomSampleSize ?? policy.verificationRandomSampleSize,
      now: ctx.now(),
    });
    if (!assigned.ok) throw new UnrecoverableError(assigned.message);
    await markDone(tx, job.id);
    return `assigned ${verifier.code}`;
  });
};
