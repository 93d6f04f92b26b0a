/** Compiles one bank's disclosure version (idempotent: an existing version is left as it is). */
import { UnrecoverableError } from 'bullmq';
import { compileVersion, deserialiseBankSums } from '../../db/repositories/disclosures.js';
import { institutionOf, notifyJob } from '../../db/repositories/disclosures-workflow.js';
import { markDone, writeOutbox } from '../../db/repositories/outbox.js';
import { CompileJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

export const compile: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileJob, job.data, job.id);
  return ctx.db.transaction(async (tx) => {
    const bank = await institutionOf(tx, payload.institutionId);
    if (!bank) throw new UnrecoverableError(`institution ${payload.institutionId} does not exist`);
    const { precomputed, ...rest } = payload;
    const { row, created } = await compileVersion(tx, { ...rest, precomputed: precomputed ? deserialiseBankSums(precomputed) : undefined, now: ctx.now() });
    if (created) await writeOutbox(tx, [notifyJob('disclosure.compiled', row, bank)]);
    await markDone(tx, job.id);
    return created ? `compiled ${bank.code} ${row.quarter} v${row.version}` : 'already_compiled';
  });
};
