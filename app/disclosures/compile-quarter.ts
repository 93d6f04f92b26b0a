/**
 * A quarter's compilation: the operator asks for it (or the quarter-end schedule does); one fan-out job
 * splits the banks with support into parts, one job per part sums its banks' covered loans in one pass
 * and writes one compile job per bank, each carrying its bank's sums and loan set
 * (app/disclosures/compile-version.ts stores the version).
 */
import { z } from 'zod';
import { banksWithSupport, banksWithSupportSized, EMPTY_LOAN_SET, quarterSumsAndSets } from '../../db/repositories/disclosures.js';
import { institutionsByIds } from '../../db/repositories/institutions.js';
import { lockKey, lockKeyShared, runsOf, writeOutbox } from '../../db/repositories/outbox.js';
import { shanghaiDate } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { FAN_OUT_PARTS, fanOutParts } from '../../domain/disclosures/fan-out-parts.js';
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
 * The fan-out: the banks with support in `FAN_OUT_PARTS` parts of about the same number of loans, one
 * job per part (`compileQuarterPart`). Same run again: no new jobs.
 */
export async function fanOutQuarter(
  ctx: UseCaseContext,
  input: { quarter: string; runJobId: string },
): Promise<{ jobs: string[]; created: number }> {
  const banks = await banksWithSupportSized(ctx.tx, quarterPeriod(input.quarter).end);
  const jobs = fanOutParts(banks, FAN_OUT_PARTS).map((part, k) =>
    outboxJobs.compileQuarterPart(input.runJobId, k + 1, { quarter: input.quarter, institutionIds: part.map((b) => b.id) }),
  );
  const created = await writeOutbox(ctx.tx, jobs);
  return { jobs: jobs.map((j) => j.jobId), created: created.length };
}

/**
 * One part of the fan-out: one pass over its banks' covered loans computes their quarter's sums and
 * stores each one's frozen loan set, then one compile job (version 1) per bank with loans to count carries
 * its sums and its set's key. Same part again: no new jobs.
 */
export async function compileQuarterPart(
  ctx: UseCaseContext,
  input: { quarter: string; institutionIds: readonly string[] },
): Promise<{ jobs: string[]; created: number }> {
  // shared: the other part reads beside this one. An approval of support for the quarter's loans takes
  // the key alone (corrections.ts): the sums below count it, or it compiled the bank's version itself
  await lockKeyShared(ctx.tx, jobIds.compileQuarter(input.quarter));
  const { sums, sets } = await quarterSumsAndSets(ctx.tx, input.quarter, input.institutionIds);
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
