/**
 * An operator links two entries of the register into one project (four eyes, app/approvals/kinds.ts): two
 * spellings of one project, or one borrower's project written under two credit codes. Every key and loan of
 * `otherId` then names `id`, which keeps its own decision of the figures if it has one (`otherId`'s is
 * dropped with it); from then on the over-funding check counts the loans of both. When either entry had
 * decided figures, its loans' attributed reductions change, and so do the compiled quarters counting them.
 */
import { institutionsOnEntries, mergeRegisterEntries } from '../../db/repositories/project-register.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { lockLiveEntries } from './common.js';
import { correctFrom } from '../disclosures/corrections.js';

export async function linkProjects(
  ctx: ActorContext,
  input: { id: string; otherId: string; reason: string },
): Promise<{ id: string; linkedId: string }> {
  if (input.id === input.otherId) refuse('projects_already_linked', `project ${input.id} is already one project`);
  const [into, from] = await lockLiveEntries(ctx, [input.id, input.otherId]);
  const affected = into.decidedAt || from.decidedAt ? await institutionsOnEntries(ctx.tx, [into.id, from.id]) : [];
  await mergeRegisterEntries(ctx.tx, from.id, into.id);
  await correctFrom(ctx, affected, 'project_decided');
  return { id: into.id, linkedId: from.id };
}
