/** A correction that failed in its event's transaction, run on its own and retried with backoff until it succeeds. */
import { correctNow } from '../../app/disclosures/corrections.js';
import { CorrectJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export const correct: Processor = async (ctx, job) => {
  const payload = parsePayload(CorrectJob, job.data, job.id);
  const rows = await performJob(ctx, job, (uc) => correctNow(uc, payload.changes, payload.reason, { changeReason: payload.changeReason }));
  return `corrected ${rows.length} version(s)`;
};
