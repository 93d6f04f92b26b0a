/**
 * Reading a version's query threads: the bank its own disclosures', the verifier those of the versions
 * assigned to it, operators every one. Anything else does not exist for the caller.
 */
import { findLatestVersion, findVersion, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { findAssignmentForVersion } from '../../db/repositories/verification.js';
import { queryThreadsOf, type QueryThread } from '../../db/repositories/verification-queries.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { bankOf, type DisclosureRef } from './workflow.js';

export async function queryThreads(
  ctx: ActorContext,
  input: DisclosureRef & { version?: number },
): Promise<{ version: DisclosureVersionRow; threads: QueryThread[] }> {
  const what = `disclosure ${input.institutionCode} ${input.quarter}${input.version ? ` version ${input.version}` : ''}`;
  const bank = await bankOf(ctx.tx, input.institutionCode);
  const version = input.version
    ? await findVersion(ctx.tx, bank.id, input.quarter, input.version)
    : await findLatestVersion(ctx.tx, bank.id, input.quarter);
  if (!version) refuse('not_found', `${what} not found`);
  const { actor } = ctx;
  if (actor.role === 'bank' && actor.institutionId !== bank.id) refuse('not_found', `${what} not found`);
  if (actor.role === 'verifier') {
    const assignment = await findAssignmentForVersion(ctx.tx, version.id);
    if (!assignment || assignment.verifierId !== actor.institutionId) refuse('not_found', `${what} not found`);
  }
  return { version, threads: await queryThreadsOf(ctx.tx, version.id) };
}
