/** Fan-out of a quarter's compilation: the sums of every bank in one pass, then one compile job (outbox row) per bank with support. */
import { quarterBounds, quarterOf, addDays, shanghaiDate } from '../../domain/dates.js';
import { fanOutQuarter } from '../../db/repositories/disclosures-workflow.js';
import { markDone } from '../../db/repositories/outbox.js';
import { CompileQuarterJob } from '../../schemas/disclosures.js';
import { parsePayload } from './parse.js';
import type { Processor } from './types.js';

/** The quarter that ended most recently before `today`. */
export const previousQuarter = (today: string) => quarterOf(addDays(quarterBounds(quarterOf(today)).start, -1));

export const compileQuarter: Processor = async (ctx, job) => {
  const payload = parsePayload(CompileQuarterJob, job.data, job.id);
  const quarter = payload.quarter ?? previousQuarter(shanghaiDate(ctx.now()));
  const result = await ctx.db.transaction(async (tx) => {
    const r = await fanOutQuarter(tx, quarter);
    await markDone(tx, job.id);
    return r;
  });
  return `fanned out ${result.jobs.length} compile job(s) for ${quarter} (${result.created} new)`;
};
