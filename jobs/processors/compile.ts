/** Compiles one bank's disclosure version (idempotent: an existing version is left as it is). */
import { compileVersion } from '../../app/disclosures/compile-version.js';
import { CompileJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const compile: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileJob, job.data, job.id);
  const { row, created, bankCode } = await performJob(ctx, job, (uc) => compileVersion(uc, payload));
  return created ? `compiled ${bankCode} ${row.quarter} v${row.version}` : 'already_compiled';
};
