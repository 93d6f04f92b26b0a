/**
 * An operator declines a proposed change to the policy data, with a reason. Any operator may, the
 * proposer included (a withdrawal); a declined change frees its date and version name for a new
 * proposal. A change already decided is `proposal_not_pending`.
 */
import { decidePolicyChange, type PolicyChangeRow } from '../../db/repositories/policy-changes.js';
import type { ActorContext } from '../perform.js';
import { lockPendingChange } from './confirm-policy-change.js';

export async function declinePolicyChange(ctx: ActorContext, input: { id: string; reason: string }): Promise<PolicyChangeRow> {
  const row = await lockPendingChange(ctx, input.id);
  return decidePolicyChange(ctx.tx, row.id, {
    status: 'declined',
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
    decisionNote: input.reason,
  });
}
