/**
 * Decisions on applications by an operator: approve fully or partly (never above the request or the
 * operation's remaining volume), reject with a reason (its loans may be listed again, its collateral
 * goes back to the bank), or allocate the operation's remaining volume by the policy's rule.
 */
import {
  findApplication,
  findOperation,
  lockOperation,
  lockSubmittedApplications,
  operationUsage,
  releaseApplication,
  updateApplication,
  type ApplicationRow,
  type OperationRow,
} from '../../db/repositories/refinancing.js';
import { allocate } from '../../domain/refinancing/allocation.js';
import { bookingDate, recordBooking, type BookingDate, type Dated } from '../bookings.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { policyInForce } from './common.js';

const refuseNotSubmitted = (a: ApplicationRow): never =>
  refuse('application_not_submitted', `the application is ${a.status}; only a submitted application can be decided`, {
    extra: { currentStatus: a.status },
  });

/** Approves fully (amountFen omitted) or partly, never beyond the request or the operation's remaining volume. */
export async function approveApplication(
  ctx: ActorContext,
  input: { applicationId: string; amountFen?: bigint; reason: string } & Pick<Dated, 'on'>,
): Promise<ApplicationRow> {
  const { tx } = ctx;
  // the operation first, then the application (the order allocation takes them in)
  const unlocked = await findApplication(tx, input.applicationId, { institutionId: null });
  if (!unlocked) refuse('not_found', `application ${input.applicationId} not found`);
  const operation = await lockOperation(tx, unlocked.operationId);
  const application = (await findApplication(tx, input.applicationId, { institutionId: null }, { lock: true }))!;
  if (application.status !== 'submitted') refuseNotSubmitted(application);
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'application', id: application.id }],
    notBefore: application.appliedOn,
  });
  const amountFen = input.amountFen ?? application.requestedFen;
  if (amountFen <= 0n)
    refuseViolations([{ path: 'amount', code: 'amount_not_positive', message: 'an approval must be more than zero; reject instead' }]);
  if (amountFen > application.requestedFen)
    refuseViolations([
      { path: 'amount', code: 'approval_exceeds_request', message: `the application requests ${application.requestedFen} fen` },
    ]);
  const usage = await operationUsage(tx, operation.id);
  const remainingFen = operation.volumeFen - usage.approvedFen;
  if (amountFen > remainingFen) {
    refuse(
      'operation_volume_exceeded',
      `the ${operation.quarter} operation has ${remainingFen} fen of its volume left; approve less or allocate pro rata`,
      { extra: { remainingFen: remainingFen.toString() } },
    );
  }
  const row = await updateApplication(tx, application.id, {
    status: 'approved',
    approvedFen: amountFen,
    decisionReason: input.reason,
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
  });
  await recordBooking(ctx, date, { command: 'approve', institutionId: application.institutionId });
  return row;
}

/** Rejects a submitted or approved (not yet disbursed) application. */
export async function rejectApplication(
  ctx: ActorContext,
  input: { applicationId: string; reason: string } & Pick<Dated, 'on'>,
): Promise<ApplicationRow> {
  const application = await findApplication(ctx.tx, input.applicationId, { institutionId: null }, { lock: true });
  if (!application) refuse('not_found', `application ${input.applicationId} not found`);
  if (application.status !== 'submitted' && application.status !== 'approved') refuseNotSubmitted(application);
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'application', id: application.id }],
    notBefore: application.appliedOn,
  });
  return reject(ctx, application, input.reason, date);
}

async function reject(ctx: ActorContext, application: ApplicationRow, reason: string, date: BookingDate): Promise<ApplicationRow> {
  if (application.status !== 'submitted' && application.status !== 'approved') refuseNotSubmitted(application);
  const row = await updateApplication(ctx.tx, application.id, {
    status: 'rejected',
    approvedFen: null,
    decisionReason: reason,
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
  });
  // the loans may be listed again; the collateral goes back to the bank
  await releaseApplication(ctx.tx, application.id);
  await recordBooking(
    ctx,
    { ...date, subjects: [{ kind: 'application', id: application.id }], reason },
    { command: 'reject', institutionId: application.institutionId },
  );
  return row;
}

export type Allocation = {
  operation: OperationRow;
  remainingFen: bigint;
  rule: string;
  oversubscribed: boolean;
  applications: ApplicationRow[];
};

/**
 * Allocates the operation's remaining volume across its submitted applications by the policy's rule
 * (in submission order). An application allocated nothing is rejected with the reason, so its loans
 * may be listed in a later operation.
 */
export async function allocateOperation(ctx: ActorContext, input: { quarter: string } & Dated): Promise<Allocation> {
  const { tx } = ctx;
  const found = await findOperation(tx, input.quarter);
  if (!found) refuse('not_found', `operation ${input.quarter} not found`);
  const operation = await lockOperation(tx, found.id);
  const usage = await operationUsage(tx, operation.id);
  const remainingFen = operation.volumeFen - usage.approvedFen;
  const waiting = await lockSubmittedApplications(tx, operation.id);
  if (waiting.length === 0) refuse('nothing_to_allocate', `the ${operation.quarter} operation has no application awaiting decision`);
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: waiting.map((a) => ({ kind: 'application' as const, id: a.id })),
    notBefore: waiting
      .map((a) => a.appliedOn)
      .sort()
      .at(-1),
  });
  const on = date.on;
  const policy = policyInForce(operation.opensOn > on ? operation.opensOn : on);
  const shares = allocate(
    policy.allocationRule,
    remainingFen,
    waiting.map((a) => ({ applicationId: a.id, requestedFen: a.requestedFen })),
  );
  const oversubscribed = waiting.reduce((s, a) => s + a.requestedFen, 0n) > remainingFen;
  const byId = new Map(waiting.map((a) => [a.id, a]));
  const results: ApplicationRow[] = [];
  for (const share of shares) {
    if (share.approvedFen > 0n) {
      const reason = oversubscribed
        ? `allocated by rule ${policy.allocationRule}: the ${operation.quarter} operation is over-subscribed`
        : `allocated in full: requests fit the ${operation.quarter} operation`;
      results.push(
        await updateApplication(tx, share.applicationId, {
          status: 'approved',
          approvedFen: share.approvedFen,
          decisionReason: reason,
          decidedBy: ctx.actor.userId,
          decidedAt: ctx.now,
        }),
      );
      await recordBooking(
        ctx,
        {
          ...date,
          subjects: [{ kind: 'application', id: share.applicationId }],
          reason: [reason, input.reason].filter(Boolean).join(' — '),
        },
        { command: 'allocate', institutionId: byId.get(share.applicationId)!.institutionId },
      );
    } else {
      results.push(await reject(ctx, byId.get(share.applicationId)!, `the ${operation.quarter} operation's volume is used up`, date));
    }
  }
  return { operation, remainingFen, rule: policy.allocationRule, oversubscribed, applications: results };
}
