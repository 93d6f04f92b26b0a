/** Fan-out of a quarter's compilation: the sums of every bank in one pass, then one compile job (outbox row) per bank with support. */
import { fanOutQuarter } from '../../app/disclosures/compile-quarter.js';
import { previousQuarter } from '../../app/outbox-jobs.js';
import { shanghaiDate } from '../../domain/dates.js';
import { CompileQuarterJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export { previousQuarter };

export const compileQuarter: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileQuarterJob, job.data, job.id);
  const quarter = payload.quarter ?? previousQuarter(shanghaiDate(ctx.now()));
  const result = await performJob(ctx, job, (uc) => fanOutQuarter(uc, { quarter }));
  return `fanned out ${result.jobs.length} compile job(s) for ${quarter} (${result.created} new)`;
};
