/**
 * An operator decides a project's figures (four eyes): its total investment and annual reduction, when its
 * banks declared different ones or their loans exceed it. From then on every bank's loans to it are
 * attributed with the decided figures (domain/projects/register.ts `attributionFigures`), so their attributed
 * reductions never add up to more than the project's; the over-funding check uses the decided investment;
 * and every compiled quarter of its banks from their first loan to it gets its next version where figures change.
 */
import { decideRegisterEntry, institutionsOnEntries } from '../../db/repositories/project-register.js';
import type { ProjectFigures } from '../../domain/projects/register.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { lockLiveEntries } from './common.js';
import { correctFrom } from '../disclosures/corrections.js';

export async function decideProjectFigures(
  ctx: ActorContext,
  input: { id: string; totalInvestmentFen: string; annualReductionCentitonnes: string; reason: string },
): Promise<{ id: string } & ProjectFigures> {
  const figures = {
    totalInvestmentFen: BigInt(input.totalInvestmentFen),
    annualReductionCentitonnes: BigInt(input.annualReductionCentitonnes),
  };
  if (figures.totalInvestmentFen <= 0n)
    refuse('validation_failed', 'the decided total investment must be greater than 0', {
      errors: [{ path: 'totalInvestment', code: 'investment_not_positive', message: 'total investment must be greater than 0' }],
    });
  const [entry] = await lockLiveEntries(ctx, [input.id]);
  await decideRegisterEntry(ctx.tx, { id: entry.id, figures, decidedBy: ctx.actor.userId, decidedAt: ctx.now, reason: input.reason });
  await correctFrom(ctx, await institutionsOnEntries(ctx.tx, [entry.id]), 'project_decided');
  return { id: entry.id, ...figures };
}
