/**
 * A quarter's compilation: the operator asks for it (or the quarter-end schedule does); one fan-out job
 * splits the banks with support into parts, and one job per part sums its banks' covered loans in one
 * pass and stores each bank's version from them (app/disclosures/compile-version.ts).
 */
import { z } from 'zod';
import { banksWithSupport, banksWithSupportSized, EMPTY_LOAN_SET, quarterSumsAndSets } from '../../db/repositories/disclosures.js';
import { institutionsByIds } from '../../db/repositories/institutions.js';
import { lockKey, lockKeyShared, runsOf, writeOutbox, type NewOutboxJob } from '../../db/repositories/outbox.js';
import { shanghaiDate } from '../../domain/dates.js';
import { quarterPeriod } from '../../domain/disclosures/compile.js';
import { fanOutPartCount, fanOutParts } from '../../domain/disclosures/fan-out-parts.js';
import { jobIds } from '../../domain/job-ids.js';
import { BankSumsJson } from '../../schemas/disclosures.js';
import { outboxJobs } from '../outbox-jobs.js';
import type { UseCaseContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { compileVersion } from './compile-version.js';

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
 * The fan-out: the banks with support in parts of about the same number of loans (`fanOutPartCount`:
 * one for a small quarter, else `FAN_OUT_PARTS`), one job per part (`compileQuarterPart`). Same run
 * again: no new jobs.
 */
export async function fanOutQuarter(
  ctx: UseCaseContext,
  input: { quarter: string; runJobId: string },
): Promise<{ jobs: string[]; created: number }> {
  const banks = await banksWithSupportSized(ctx.tx, quarterPeriod(input.quarter).end);
  const jobs = fanOutParts(banks, fanOutPartCount(banks.reduce((n, b) => n + b.estimatedLoans, 0))).map((part, k) =>
    outboxJobs.compileQuarterPart(input.runJobId, k + 1, { quarter: input.quarter, institutionIds: part.map((b) => b.id) }),
  );
  const created = await writeOutbox(ctx.tx, jobs);
  return { jobs: jobs.map((j) => j.jobId), created: created.length };
}

/**
 * One part of the fan-out: one pass over its banks' covered loans computes their quarter's sums and
 * stores each one's frozen loan set; then each bank with loans to count gets its version 1 from them, in
 * this transaction (a savepoint each). A bank whose version fails gets a compile job carrying its sums and
 * set instead, retried on its own and listed among the failed jobs when it keeps failing; the part's
 * other banks are not held back by it. Same part again: the versions that exist are left as they are.
 */
export async function compileQuarterPart(
  ctx: UseCaseContext,
  input: { quarter: string; institutionIds: readonly string[] },
): Promise<{ compiled: number; queued: string[] }> {
  // shared: the other part reads beside this one. An approval of support for the quarter's loans takes
  // the key alone (corrections.ts): the sums below count it, or it compiled the bank's version itself
  await lockKeyShared(ctx.tx, jobIds.compileQuarter(input.quarter));
  const { sums, sets } = await quarterSumsAndSets(ctx.tx, input.quarter, input.institutionIds);
  const banks = (await institutionsByIds(ctx.tx, [...sums.keys()])).sort((a, b) => (a.code < b.code ? -1 : 1));
  let compiled = 0;
  const queued: NewOutboxJob[] = [];
  for (const b of banks) {
    const job = {
      institutionId: b.id,
      quarter: input.quarter,
      version: 1,
      previousVersionId: null,
      restatesVersionId: null,
      loanSet: sets.get(b.id) ?? EMPTY_LOAN_SET,
    };
    try {
      const done = await ctx.tx.transaction((tx) => compileVersion({ ...ctx, tx }, { ...job, sums: sums.get(b.id)! }));
      if (done.created) compiled += 1;
    } catch {
      queued.push(outboxJobs.compile(b.code, { ...job, precomputed: z.encode(BankSumsJson, sums.get(b.id)!) }));
    }
  }
  await writeOutbox(ctx.tx, queued);
  return { compiled, queued: queued.map((j) => j.jobId) };
}
