/** An approval (a proposed four-eyes act) as the API shows it. Pure. */
import type { z } from 'zod';
import type { ApprovalWithNames } from '../../db/repositories/approvals.js';
import type { ApprovalView } from '../../schemas/approvals.js';

export type ApprovalStatusShown = z.infer<typeof ApprovalView>['status'];

/** `expired`: still pending in the table but past its expiry at `now`. */
export const approvalStatus = (row: ApprovalWithNames['approval'], now: Date): ApprovalStatusShown =>
  row.status === 'pending' && row.expiresAt.getTime() <= now.getTime() ? 'expired' : row.status;

export function presentApproval(
  { approval: a, proposedByName, decidedByName }: ApprovalWithNames,
  now: Date,
): z.infer<typeof ApprovalView> {
  const input = { ...a.input };
  if ('passwordHash' in input) input.passwordHash = '(set)';
  return {
    id: a.id,
    kind: a.kind,
    status: approvalStatus(a, now),
    resource: a.resource,
    resourceId: a.resourceId,
    summary: a.summary,
    input,
    reason: a.reason,
    proposedBy: { id: a.proposedBy, name: proposedByName },
    proposedAt: a.proposedAt.toISOString(),
    expiresAt: a.expiresAt.toISOString(),
    decidedBy: a.decidedBy ? { id: a.decidedBy, name: decidedByName ?? '' } : null,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decisionNote: a.decisionNote,
    result: a.result ?? null,
  };
}
