/**
 * Decisions on applications by an operator: approve fully or partly (never above the request or the
 * operation's remaining volume), reject with a reason (its loans may be listed again, its collateral
 * goes back to the bank), or allocate the operation's remaining volume by the policy's rule.
 */
import { leaveOutLoans, listedLoansOf } from '../../db/repositories/refinancing/application-loans.js';
import {
  findApplication,
  lockSubmittedApplications,
  releaseApplication,
  updateApplication,
  type ApplicationRow,
} from '../../db/repositories/refinancing/applications.js';
import { findOperation, lockOperation, operationUsage, type OperationRow } from '../../db/repositories/refinancing/operations.js';
import { allocate } from '../../domain/refinancing/allocation.js';
import { coverWholeLoans } from '../../domain/refinancing/support.js';
import { bookingDate, recordBooking, type BookingDate, type Dated } from '../bookings.js';
import { changesOfLoans, recordsChanged } from '../disclosures/corrections.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations, refuseWith } from '../refusals.js';
import { policyInForce } from './common.js';

const refuseNotSubmitted = (a: ApplicationRow): never =>
  refuse('application_not_submitted', `the application is ${a.status}; only a submitted application can be decided`, {
    extra: { currentStatus: a.status },
  });

type ListedLoan = Awaited<ReturnType<typeof listedLoansOf>>[number];

/** Whole loans in listed order while their support fits in `amountFen` (domain rule coverWholeLoans). */
async function wholeLoansCovered(ctx: ActorContext, applicationId: string, amountFen: bigint) {
  const listed = await listedLoansOf(ctx.tx, applicationId);
  return coverWholeLoans(
    listed.map((l) => ({ ...l, supportFen: l.requestedSupportFen })),
    amountFen,
  );
}

/**
 * Records an approval of the covered loans: the loans left out come off the application (free for a
 * later one) and the approved amount is the covered loans' support. The caller then has the quarters
 * already compiled for those loans compiled again (app/disclosures/corrections.ts).
 */
async function approveCovered(
  ctx: ActorContext,
  application: ApplicationRow,
  cover: { covered: ListedLoan[]; left: ListedLoan[]; approvedFen: bigint },
  reason: string,
): Promise<ApplicationRow> {
  await leaveOutLoans(
    ctx.tx,
    application.id,
    cover.left.map((l) => l.loanId),
  );
  const row = await updateApplication(ctx.tx, application.id, {
    status: 'approved',
    approvedFen: cover.approvedFen,
    decisionReason: reason,
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
  });
  return row;
}

/** An approval: the application as decided, the amount asked, the loans it covers and those it left out. */
export type Approval = {
  application: ApplicationRow;
  askedFen: bigint;
  covered: ListedLoan[];
  leftOut: (ListedLoan & { roomFen: bigint })[];
};

/**
 * Approves fully (amountFen omitted) or partly, never beyond the request or the operation's remaining
 * volume. A partial approval covers whole loans in the order the application lists them while their
 * support fits; the approved amount becomes their support, and an amount that covers no loan is refused
 * (`approval_covers_no_loan`, naming the smallest loan's support). The answer names the loans covered
 * and those left out (free for a later application).
 */
export async function approveApplication(
  ctx: ActorContext,
  input: { applicationId: string; amountFen?: bigint; reason: string } & Pick<Dated, 'on'>,
): Promise<Approval> {
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
  const cover = await wholeLoansCovered(ctx, application.id, amountFen);
  if (!cover.ok) refuseWith(cover);
  // the operation gives what the covered loans take
  const usage = await operationUsage(tx, operation.id);
  const remainingFen = operation.volumeFen - usage.approvedFen;
  if (cover.value.approvedFen > remainingFen) {
    refuse(
      'operation_volume_exceeded',
      `the ${operation.quarter} operation has ${remainingFen} fen of its volume left; approve less or allocate pro rata`,
      { extra: { remainingFen: remainingFen.toString() } },
    );
  }
  const row = await approveCovered(ctx, application, cover.value, input.reason);
  await recordBooking(ctx, date, { command: 'approve', institutionId: application.institutionId });
  await recordsChanged(
    ctx,
    changesOfLoans(cover.value.covered.map((l) => ({ institutionId: row.institutionId, disbursedOn: l.disbursedOn }))),
    'support_after_compile',
  );
  return { application: row, askedFen: amountFen, covered: cover.value.covered, leftOut: cover.value.left };
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
  // an approved application's loans counted in their quarters: they leave the count now
  const uncovered = application.status === 'approved' ? await listedLoansOf(ctx.tx, application.id) : [];
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
  await recordsChanged(
    ctx,
    changesOfLoans(uncovered.map((l) => ({ institutionId: application.institutionId, disbursedOn: l.disbursedOn }))),
    'support_withdrawn',
  );
  return row;
}

export type Allocation = {
  operation: OperationRow;
  remainingFen: bigint;
  rule: string;
  oversubscribed: boolean;
  applications: ApplicationRow[];
  /** each application's share by the rule, before it is narrowed to whole loans (same order) */
  allocatedFen: bigint[];
};

/**
 * Allocates the operation's remaining volume across its submitted applications by the policy's rule
 * (in submission order). Each share covers whole loans in listed order (the approved amount is their
 * support; what a share leaves uncovered stays in the operation's volume). An application allocated
 * nothing, or whose share covers none of its loans, is rejected with the reason, so its loans may be
 * listed in a later operation.
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
  const support: { institutionId: string; disbursedOn: string }[] = [];
  for (const share of shares) {
    const application = byId.get(share.applicationId)!;
    // a share covers whole loans in listed order; one that covers none is "allocated nothing"
    const cover = share.approvedFen > 0n ? await wholeLoansCovered(ctx, application.id, share.approvedFen) : null;
    if (cover?.ok) {
      const reason = oversubscribed
        ? `allocated by rule ${policy.allocationRule}: the ${operation.quarter} operation is over-subscribed`
        : `allocated in full: requests fit the ${operation.quarter} operation`;
      results.push(await approveCovered(ctx, application, cover.value, reason));
      await recordBooking(
        ctx,
        { ...date, subjects: [{ kind: 'application', id: application.id }], reason: [reason, input.reason].filter(Boolean).join(' — ') },
        { command: 'allocate', institutionId: application.institutionId },
      );
      for (const l of cover.value.covered) support.push({ institutionId: application.institutionId, disbursedOn: l.disbursedOn });
    } else {
      const why =
        share.approvedFen > 0n
          ? `the share allocated from the ${operation.quarter} operation covers none of its loans' support`
          : `the ${operation.quarter} operation's volume is used up`;
      results.push(await reject(ctx, application, why, date));
    }
  }
  await recordsChanged(ctx, changesOfLoans(support), 'support_after_compile');
  return {
    operation,
    remainingFen,
    rule: policy.allocationRule,
    oversubscribed,
    applications: results,
    allocatedFen: shares.map((s) => s.approvedFen),
  };
}
