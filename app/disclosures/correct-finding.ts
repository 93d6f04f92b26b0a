/**
 * A verifier corrects a finding before its verdict: the finding is superseded by a new one on the same
 * loan and check (outcome, note, and why), the old one stays in the history and in the report, and the
 * verdict judges only the findings in force. The API route and the verifier's pages call this.
 */
import { lockFinding, supersedeFinding } from '../../db/repositories/finding-corrections.js';
import type { FindingRow } from '../../db/repositories/verification.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { openAssignment, type AssignmentRef } from './verification.js';

export async function correctFinding(
  ctx: ActorContext,
  input: AssignmentRef & { findingId: string; outcome: 'pass' | 'fail'; note?: string | null; reason: string },
): Promise<{ finding: FindingRow; superseded: FindingRow }> {
  const { assignment } = await openAssignment(ctx, input);
  const old = await lockFinding(ctx.tx, assignment.id, input.findingId);
  if (!old) refuse('not_found', `finding ${input.findingId} not found on this assignment`);
  if (old.supersededAt)
    refuse('finding_superseded', `finding ${old.id} was already superseded by ${old.supersededBy}: correct the finding in force`, {
      extra: { supersededBy: old.supersededBy },
    });
  return supersedeFinding(ctx.tx, old, {
    createdBy: ctx.actor.userId,
    outcome: input.outcome,
    note: input.note ?? null,
    reason: input.reason,
    at: ctx.now,
  });
}
