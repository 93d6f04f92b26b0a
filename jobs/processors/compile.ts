/** Compiles one bank's disclosure version (idempotent: an existing version is left as it is). */
import { compileFannedOutVersion, compileVersion } from '../../app/disclosures/compile-version.js';
import { CompileJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const compile: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileJob, job.data, job.id);
  // the fan-out's jobs carry its sums, read before they run (compileFannedOutVersion)
  const { row, created, bankCode } = await performJob(ctx, job, (uc) =>
    payload.precomputed ? compileFannedOutVersion(uc, payload) : compileVersion(uc, payload),
  );
  if (!row) return 'nothing_to_count';
  return created ? `compiled ${bankCode} ${row.quarter} v${row.version}` : 'already_compiled';
};
