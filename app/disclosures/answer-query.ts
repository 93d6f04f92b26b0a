/**
 * The bank answers a verifier's query on its disclosure while the version is under verification (the
 * thread is then part of the report the verdict stores; after the verdict nothing is added). A query
 * of another bank's disclosure, or of an earlier version, does not exist for it.
 */
import { findAssignmentForVersion } from '../../db/repositories/verification.js';
import { insertQueryAnswer, lockQuery, type QueryAnswerRow } from '../../db/repositories/verification-queries.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { latestForVerb, refuseIllegal, type DisclosureRef } from './workflow.js';

export async function answerQuery(ctx: ActorContext, input: DisclosureRef & { queryId: string; text: string }): Promise<QueryAnswerRow> {
  const { latest } = await latestForVerb(ctx, input);
  if (ctx.actor.role !== 'bank' || ctx.actor.institutionId !== latest.institutionId)
    refuse('not_found', `query ${input.queryId} not found`);
  const query = await lockQuery(ctx.tx, latest.id, input.queryId);
  if (!query) refuse('not_found', `query ${input.queryId} not found on the latest version of ${input.institutionCode} ${input.quarter}`);
  const assignment = await findAssignmentForVersion(ctx.tx, latest.id);
  if (latest.status !== 'under_verification' || !assignment || assignment.completedAt)
    refuseIllegal({
      message: `the disclosure is ${latest.status}; queries are answered while it is under_verification`,
      current: latest.status,
    });
  return insertQueryAnswer(ctx.tx, { queryId: query.id, text: input.text, answeredBy: ctx.actor.userId, createdAt: ctx.now });
}
