/**
 * Policy data changes are one kind of four-eyes act (`policy_change`): the proposal is stored as a
 * policy change (app/policy/propose-policy-change.ts checks it) and as an approval naming it, so it is
 * listed, confirmed, declined and withdrawn through `/api/v1/approvals` like every other act. The
 * routes under `/api/v1/policy/changes/:id` keep working: they find the approval of the change and
 * decide it here. A change proposed before approvals existed is decided as before.
 */
import { findApprovalFor } from '../../db/repositories/approvals.js';
import type { PolicyChangeRow } from '../../db/repositories/policy-changes.js';
import type { PolicyChangeData } from '../../domain/policy/index.js';
import type { ActorContext } from '../perform.js';
import { confirmPolicyChange } from '../policy/confirm-policy-change.js';
import { declinePolicyChange } from '../policy/decline-policy-change.js';
import { proposePolicyChange } from '../policy/propose-policy-change.js';
import { confirmApproval, declineApproval } from './decide-approval.js';
import { storeProposal } from './propose-act.js';

export async function proposePolicyData(ctx: ActorContext, input: { reason: string; data: PolicyChangeData }): Promise<PolicyChangeRow> {
  const row = await proposePolicyChange(ctx, input);
  await storeProposal(ctx, 'policy_change', { changeId: row.id, kind: row.kind, effectiveOn: row.effectiveOn }, input.reason);
  return row;
}

export async function confirmPolicyData(ctx: ActorContext, input: { id: string; comment?: string }): Promise<void> {
  const approval = await findApprovalFor(ctx.tx, 'policy_change', 'policy_change', input.id);
  if (!approval) await confirmPolicyChange(ctx, input);
  else await confirmApproval(ctx, { id: approval.id, comment: input.comment });
}

export async function declinePolicyData(ctx: ActorContext, input: { id: string; reason: string }): Promise<void> {
  const approval = await findApprovalFor(ctx.tx, 'policy_change', 'policy_change', input.id);
  if (!approval) await declinePolicyChange(ctx, input);
  else await declineApproval(ctx, { id: approval.id, reason: input.reason });
}
