/**
 * Fan-out of a quarter's compilation: the banks with support in parts (one job each); a part sums its
 * banks in one pass, then stores each bank's version.
 */
import { compileQuarterPart as compilePart, fanOutQuarter } from '../../app/disclosures/compile-quarter.js';
import { previousQuarter } from '../../app/outbox-jobs.js';
import { shanghaiDate } from '../../domain/dates.js';
import { CompileQuarterJob, CompileQuarterPartJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import { performJob } from './perform-job.js';
import type { Processor } from './types.js';

export { previousQuarter };

export const compileQuarter: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileQuarterJob, job.data, job.id);
  const quarter = payload.quarter ?? previousQuarter(shanghaiDate(ctx.now()));
  const result = await performJob(ctx, job, (uc) => fanOutQuarter(uc, { quarter, runJobId: job.id }));
  return `fanned out ${result.jobs.length} part(s) for ${quarter} (${result.created} new)`;
};

export const compileQuarterPart: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileQuarterPartJob, job.data, job.id);
  const result = await performJob(ctx, job, (uc) => compilePart(uc, payload));
  const queued = result.queued.length ? `; ${result.queued.length} failed, queued as compile jobs: ${result.queued.join(', ')}` : '';
  return `compiled ${result.compiled} version(s) of ${payload.quarter}${queued}`;
};
