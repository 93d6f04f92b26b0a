/**
 * A pending act is confirmed by a different operator (it then takes effect: its own use case runs with
 * the confirmer acting, in the confirmation's transaction), declined by any operator with a reason, or
 * withdrawn by its proposer. The row is locked first, so the same act confirmed twice at once (two
 * processes) takes effect once: the second finds it decided. Refusals, nothing changed:
 * `four_eyes_violation` (the proposer confirms), `approval_expired` (pending past its expiry),
 * `approval_withdrawn`, `proposal_not_pending` (confirmed or declined already), and any refusal of the
 * act itself when the facts changed since the proposal (decline it, or let it expire).
 */
import { decideApproval, lockApproval, type ApprovalRow } from '../../db/repositories/approvals.js';
import { setAuditReason } from '../../db/repositories/audit.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { kindSpec } from './kinds.js';

async function lockPending(ctx: ActorContext, id: string, options: { expiredRefused: boolean }): Promise<ApprovalRow> {
  const row = (await lockApproval(ctx.tx, id)) ?? refuse('not_found', `approval ${id} not found`);
  if (row.status === 'withdrawn')
    refuse('approval_withdrawn', `approval ${id} was withdrawn by its proposer on ${row.decidedAt!.toISOString()}`, {
      extra: { currentStatus: row.status },
    });
  if (row.status !== 'pending')
    refuse('proposal_not_pending', `approval ${id} was already ${row.status} on ${row.decidedAt!.toISOString()}`, {
      extra: { currentStatus: row.status },
    });
  if (options.expiredRefused && row.expiresAt.getTime() <= ctx.now.getTime())
    refuse('approval_expired', `approval ${id} expired unconfirmed on ${row.expiresAt.toISOString()}: propose it again`, {
      extra: { currentStatus: 'expired', expiresAt: row.expiresAt.toISOString() },
    });
  return row;
}

/** Confirms and performs the act; answers the approval and what the act gave back (its secrets once). */
export async function confirmApproval(
  ctx: ActorContext,
  input: { id: string; comment?: string },
): Promise<{ approval: ApprovalRow; shownOnce: Record<string, unknown> }> {
  const row = await lockPending(ctx, input.id, { expiredRefused: true });
  if (row.proposedBy === ctx.actor.userId)
    refuse('four_eyes_violation', 'the operator who proposed an act cannot confirm it: a second operator confirms');
  const spec = kindSpec(row.kind) ?? refuse('not_found', `approval ${input.id} is of an unknown kind ${row.kind}`);
  await setAuditReason(ctx.tx, `four eyes: approval ${row.id} proposed by ${row.proposedBy}${row.reason ? ` (${row.reason})` : ''}`);
  const value = await spec.perform(ctx, row.input, { comment: input.comment });
  const approval = await decideApproval(ctx.tx, row.id, {
    status: 'confirmed',
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
    decisionNote: input.comment ?? null,
    result: spec.outcome(value),
  });
  return { approval, shownOnce: spec.shownOnce?.(value) ?? {} };
}

/** Any operator declines a pending act with a reason (the proposer too; an expired one may be declined). */
export async function declineApproval(ctx: ActorContext, input: { id: string; reason: string }): Promise<ApprovalRow> {
  const row = await lockPending(ctx, input.id, { expiredRefused: false });
  await kindSpec(row.kind)?.onDecline?.(ctx, row.input, input.reason);
  return decideApproval(ctx.tx, row.id, {
    status: 'declined',
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
    decisionNote: input.reason,
  });
}

/** The proposer withdraws a pending act (another operator declines instead: `forbidden`). */
export async function withdrawApproval(ctx: ActorContext, input: { id: string; reason?: string }): Promise<ApprovalRow> {
  const row = await lockPending(ctx, input.id, { expiredRefused: false });
  if (row.proposedBy !== ctx.actor.userId)
    refuse('forbidden', 'only the operator who proposed an act may withdraw it; another operator declines it with a reason');
  await kindSpec(row.kind)?.onDecline?.(ctx, row.input, input.reason ?? 'withdrawn by the proposer');
  return decideApproval(ctx.tx, row.id, {
    status: 'withdrawn',
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
    decisionNote: input.reason ?? null,
  });
}
