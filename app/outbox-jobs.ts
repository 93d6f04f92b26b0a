/**
 * The jobs the use cases imply, as outbox rows (queue, name, id from domain ids, payload), written in
 * the same transaction as the state change; the periodic jobs of a day, written by the scheduler's
 * tick and by the reconciler's catch-up alike; and the operator's retry of a failed job.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { findOutbox, retryFailed, type NewOutboxJob, type OutboxRow } from '../db/repositories/outbox.js';
import { addDays, quarterBounds, quarterOf } from '../domain/dates.js';
import { jobIds } from '../domain/job-ids.js';
import type { CompileJob, CompileQuarterJob, CompileQuarterPartJob, CorrectJob, DailyJob, PublishJob } from '../schemas/disclosures.js';
import type { UploadJob } from '../schemas/uploads.js';
import type { AssignJob } from '../schemas/verification.js';
import type { NotifyJob } from '../schemas/webhooks.js';
import type { UseCaseContext } from './perform.js';
import { refuse } from './refusals.js';

/**
 * Each job's payload as written to the outbox, inferred from the zod schema its processor parses
 * (jobs/processors/): one definition of every payload. `z.input` is the JSON form (the compile job's
 * bigints as `{ $bigint }`); the processor gets the parsed form.
 */
export type CompileQuarterPayload = z.input<typeof CompileQuarterJob>;
export type CompileQuarterPartPayload = z.input<typeof CompileQuarterPartJob>;
export type CompilePayload = z.input<typeof CompileJob>;
export type AssignPayload = z.input<typeof AssignJob>;
export type PublishPayload = z.input<typeof PublishJob>;
export type NotifyPayload = z.input<typeof NotifyJob>;
export type DailyPayload = z.input<typeof DailyJob>;
export type UploadPayload = z.input<typeof UploadJob>;

export type NotifyEvent = NotifyPayload['event'];

/** A correction of the disclosures the changed records change (app/disclosures/corrections.ts), retried by its job. */
export type CorrectPayload = z.input<typeof CorrectJob>;

export const outboxJobs = {
  /** the quarter's fan-out; later runs carry `.r2`, `.r3`, … in their id */
  compileQuarter: (quarter: string, jobId = jobIds.compileQuarter(quarter)): NewOutboxJob => ({
    queue: 'compile',
    name: 'compile-quarter',
    jobId,
    payload: { quarter } satisfies CompileQuarterPayload,
  }),
  /** one part of a fan-out run: some of the quarter's banks, read together */
  compileQuarterPart: (runJobId: string, part: number, payload: CompileQuarterPartPayload): NewOutboxJob => ({
    queue: 'compile',
    name: 'compile-quarter-part',
    jobId: jobIds.compileQuarterPart(runJobId, part),
    payload,
  }),
  compile: (institutionCode: string, payload: CompilePayload): NewOutboxJob => ({
    queue: 'compile',
    name: 'compile',
    jobId: jobIds.compile(institutionCode, payload.quarter, payload.version),
    payload,
  }),
  assign: (payload: AssignPayload): NewOutboxJob => ({
    queue: 'assign',
    name: 'assign',
    jobId: jobIds.assign(payload.versionId),
    payload,
  }),
  publish: (versionId: string): NewOutboxJob => ({
    queue: 'publish',
    name: 'publish',
    jobId: jobIds.publish(versionId),
    payload: { versionId } satisfies PublishPayload,
  }),
  /** a notification to an institution about a disclosure version */
  notify: (event: NotifyEvent, version: { id: string }, institution: { id: string; code: string }): NewOutboxJob => ({
    queue: 'notify',
    name: 'notify',
    jobId: jobIds.notify(event, version.id, institution.code),
    payload: { event, institutionId: institution.id, versionId: version.id } satisfies NotifyPayload,
  }),
  correct: (payload: CorrectPayload): NewOutboxJob => ({
    queue: 'compile',
    name: 'correct',
    jobId: jobIds.correct(
      payload.reason,
      Date.parse(payload.at),
      createHash('sha256').update(JSON.stringify(payload.changes)).digest('hex').slice(0, 16),
    ),
    payload,
  }),
  maturityScan: (on: string): NewOutboxJob => ({
    queue: 'maturity-scan',
    name: 'maturity-scan',
    jobId: jobIds.maturityScan(on),
    payload: { on } satisfies DailyPayload,
  }),
  /** processing of an uploaded file (app/uploads/process-upload.ts) */
  upload: (uploadId: string): NewOutboxJob => ({
    queue: 'upload',
    name: 'upload',
    jobId: jobIds.upload(uploadId),
    payload: { uploadId } satisfies UploadPayload,
  }),
  interestAccrual: (on: string): NewOutboxJob => ({
    queue: 'interest-accrual',
    name: 'interest-accrual',
    jobId: jobIds.interestAccrual(on),
    payload: { on } satisfies DailyPayload,
  }),
};

/** The quarter that ended most recently before `today`. */
export const previousQuarter = (today: string) => quarterOf(addDays(quarterBounds(quarterOf(today)).start, -1));

/**
 * The periodic work of `today` (Asia/Shanghai): the compilation of the quarter just ended, the
 * maturity scan and the interest accrual. Job ids come from the date, so writing them again (a
 * scheduler tick and the reconciler's catch-up) adds nothing.
 */
export function periodicJobs(today: string): NewOutboxJob[] {
  return [outboxJobs.compileQuarter(previousQuarter(today)), outboxJobs.maturityScan(today), outboxJobs.interestAccrual(today)];
}

/**
 * The operator runs a failed job again: back to pending, so the relay enqueues it. `forget` removes
 * the failed job from the queue first (its id would make the relay's add a duplicate).
 */
export async function retryFailedJob(
  ctx: UseCaseContext,
  input: { jobId: string; forget: (row: OutboxRow) => Promise<void> },
): Promise<OutboxRow> {
  const existing = await findOutbox(ctx.tx, input.jobId);
  if (!existing) refuse('not_found', `job ${input.jobId} not found`);
  if (existing.status !== 'failed')
    refuse('job_not_failed', `job ${input.jobId} is ${existing.status}; only a failed job can be retried`, {
      extra: { currentStatus: existing.status },
    });
  await input.forget(existing);
  const row = await retryFailed(ctx.tx, input.jobId);
  if (!row) refuse('job_not_failed', `job ${input.jobId} is no longer failed`);
  return row;
}
