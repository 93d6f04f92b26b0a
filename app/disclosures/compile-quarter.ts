/**
 * A quarter's compilation: the operator asks for it (or the quarter-end schedule does), and one
 * fan-out job sums every bank's covered loans in one pass and writes one compile job per bank with
 * support, each carrying its bank's sums (app/disclosures/compile-version.ts stores the version).
 */
import { z } from 'zod';
import { banksWithSupport, EMPTY_LOAN_SET, quarterSumsAndSets } from '../../db/repositories/disclosures.js';
import { institutionsByIds } from '../../db/repositories/institutions.js';
import { lockKey, runsOf, writeOutbox } from '../../db/repositories/outbox.js';
import { shanghaiDate } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { jobIds } from '../../domain/job-ids.js';
import { BankSumsJson } from '../../schemas/disclosures.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';

/**
 * Writes the quarter's compilation job (the fan-out) and lists the banks it will cover; refuses a
 * quarter that has not ended in Asia/Shanghai. While a run for the quarter is pending or running,
 * asking again adds nothing; once earlier runs are over (for instance the start-up catch-up ran before
 * any support was booked), a new run is written, numbered `.r2`, `.r3`, …. A run compiles only banks
 * without a version for the quarter, so nothing is compiled twice.
 */
export async function requestQuarterCompile(
  ctx: UseCaseContext,
  input: { quarter: string },
): Promise<{ jobId: string; new: boolean; banks: string[] }> {
  const today = shanghaiDate(ctx.now);
  if (quarterPeriod(input.quarter).end >= today)
    refuse('quarter_not_ended', `${input.quarter} has not ended yet in Asia/Shanghai (today is ${today})`);
  const base = jobIds.compileQuarter(input.quarter);
  const banks = (await banksWithSupport(ctx.tx, quarterPeriod(input.quarter).end)).map((b) => b.code);
  await lockKey(ctx.tx, base);
  const runs = await runsOf(ctx.tx, base);
  const open = runs.find((r) => r.status === 'pending' || r.status === 'enqueued');
  if (open) return { jobId: open.jobId, new: false, banks };
  const jobId = runs.length === 0 ? base : `${base}.r${runs.length + 1}`;
  const created = await writeOutbox(ctx.tx, [outboxJobs.compileQuarter(input.quarter, jobId)]);
  return { jobId, new: created.length === 1, banks };
}

/**
 * The fan-out: one pass over every bank's covered loans computes the quarter's sums and stores each
 * bank's frozen loan set, then one compile job (version 1) per bank with support carries its bank's sums
 * and its set's key. Same quarter again: no new jobs.
 */
export async function fanOutQuarter(ctx: UseCaseContext, input: { quarter: string }): Promise<{ jobs: string[]; created: number }> {
  // an approval of support for the quarter's loans takes the same key (corrections.ts):
  // the sums below count it, or it saw this run and compiled the bank's version itself
  await lockKey(ctx.tx, jobIds.compileQuarter(input.quarter));
  const { sums, sets } = await quarterSumsAndSets(ctx.tx, input.quarter);
  const banks = await institutionsByIds(ctx.tx, [...sums.keys()]);
  const jobs = banks
    .sort((a, b) => (a.code < b.code ? -1 : 1))
    .map((b) =>
      outboxJobs.compile(b.code, {
        institutionId: b.id,
        quarter: input.quarter,
        version: 1,
        previousVersionId: null,
        restatesVersionId: null,
        precomputed: z.encode(BankSumsJson, sums.get(b.id)!),
        loanSet: sets.get(b.id) ?? EMPTY_LOAN_SET,
      }),
    );
  const created = await writeOutbox(ctx.tx, jobs);
  return { jobs: jobs.map((j) => j.jobId), created: created.length };
}
