/**
 * The bank names the projects its statement calls the most significant (0–3, by reference): any
 * project its compiled version counted (the proposed top three or another). Only before it submits:
 * the version's content — its `namedProjects` and the statement's sentence ("其中碳减排效应最为显著的
 * 项目有……", variant B "较典型的项目如……等") — and its hash are written again; from submission on the
 * content never changes. A later version of the quarter keeps the named projects it still counts.
 */
import { countedProjects } from '../../db/repositories/disclosure-loans.js';
import { setVersionContent } from '../../db/repositories/statements.js';
import type { DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { withNamedProjects, type DisclosureContent } from '../../domain/disclosures/compile.js';
import type { ActorContext } from '../perform.js';
import { refuseViolations } from '../refusals.js';
import { latestForVerb, refuseIllegal, type DisclosureRef } from './workflow.js';

export const MAX_NAMED_PROJECTS = 3;

export async function nameProjects(ctx: ActorContext, input: DisclosureRef & { projects: string[] }): Promise<DisclosureVersionRow> {
  const { latest } = await latestForVerb(ctx, input);
  if (latest.status !== 'compiled')
    refuseIllegal({
      message: `the bank names projects before it submits; the disclosure is ${latest.status}`,
      current: latest.status,
    });
  const counted = new Map((await countedProjects(ctx.tx, latest.id, input.projects)).map((p) => [p.ref, p.name]));
  const seen = new Set<string>();
  const violations = input.projects.flatMap((ref, i) => {
    if (seen.has(ref)) return [{ path: `projects.${i}`, code: 'duplicate_project', message: `${ref} is named twice` }];
    seen.add(ref);
    return counted.has(ref)
      ? []
      : [
          {
            path: `projects.${i}`,
            code: 'named_project_not_counted',
            message: `project ${ref} is not counted in this disclosure: a named project must have a counted loan`,
          },
        ];
  });
  if (violations.length) refuseViolations(violations);
  const content = withNamedProjects(
    latest.content as DisclosureContent,
    input.projects.map((ref) => ({ ref, name: counted.get(ref)! })),
  );
  const row = await setVersionContent(ctx.tx, latest.id, 'compiled', { content, contentSha256: sha256OfCanonical(content) });
  if (!row) refuseIllegal({ message: 'the disclosure changed state meanwhile', current: 'submitted' });
  return row;
}
