/**
 * The assigned verifier raises a query on a sampled loan of the version it verifies (before its
 * verdict): the bank answers it (answer-query.ts); the thread stays with the version and goes into the
 * verification report. A loan outside the sample is refused (`loan_not_in_sample`, naming `loanId`).
 */
import { sampleOf } from '../../db/repositories/verification.js';
import { insertQuery, type QueryRow } from '../../db/repositories/verification-queries.js';
import type { ActorContext } from '../perform.js';
import { refuseViolations } from '../refusals.js';
import { openAssignment, type AssignmentRef } from './verification.js';

export async function raiseQuery(ctx: ActorContext, input: AssignmentRef & { loanId: string; text: string }): Promise<QueryRow> {
  const { assignment } = await openAssignment(ctx, input);
  const sampled = (await sampleOf(ctx.tx, assignment.id)).some((s) => s.loanId === input.loanId);
  if (!sampled) refuseViolations([{ path: 'loanId', code: 'loan_not_in_sample', message: 'queries are raised on sampled loans only' }]);
  return insertQuery(ctx.tx, {
    assignmentId: assignment.id,
    versionId: assignment.disclosureVersionId,
    loanId: input.loanId,
    text: input.text,
    raisedBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
}
