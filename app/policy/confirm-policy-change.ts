/**
 * A second operator confirms a proposed change to the policy data: from then on it is part of the data
 * in force (the caller refreshes this process's copy once the transaction commits: ./policy-data.ts).
 * The proposer cannot confirm their own change (`four_eyes_violation`; the table's check says the
 * same), a change already decided is `proposal_not_pending`, and a change that no longer fits the
 * data in force (e.g. a version confirmed since moved its base) is refused with its rules, paths
 * under `data.`: decline it and propose it again.
 */
import { shanghaiDate } from '../../domain/dates.js';
import { checkPolicyChange } from '../../domain/policy/index.js';
import { decidePolicyChange, lockPolicyChange, lockPolicyChanges, type PolicyChangeRow } from '../../db/repositories/policy-changes.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { loadPolicyData } from './policy-data.js';
import { refuseTakenDates } from './propose-policy-change.js';

export async function lockPendingChange(ctx: ActorContext, id: string): Promise<PolicyChangeRow> {
  await lockPolicyChanges(ctx.tx);
  const row = (await lockPolicyChange(ctx.tx, id)) ?? refuse('not_found', `policy change ${id} not found`);
  if (row.status !== 'pending') {
    refuse(
      'proposal_not_pending',
      `policy change ${id} was already ${row.status}${row.decidedAt ? ` on ${row.decidedAt.toISOString()}` : ''}`,
      { extra: { currentStatus: row.status } },
    );
  }
  return row;
}

export async function confirmPolicyChange(ctx: ActorContext, input: { id: string; comment?: string }): Promise<PolicyChangeRow> {
  const row = await lockPendingChange(ctx, input.id);
  if (row.proposedBy === ctx.actor.userId)
    refuse('four_eyes_violation', 'the operator who proposed a change cannot confirm it: a second operator confirms');
  const violations = checkPolicyChange(await loadPolicyData(ctx.tx), row.data, shanghaiDate(ctx.now));
  if (violations.length) refuseViolations(violations.map((v) => ({ ...v, path: `data.${v.path}` })));
  await refuseTakenDates(ctx.tx, row.data, row.id);
  return decidePolicyChange(ctx.tx, row.id, {
    status: 'confirmed',
    decidedBy: ctx.actor.userId,
    decidedAt: ctx.now,
    decisionNote: input.comment ?? null,
  });
}
