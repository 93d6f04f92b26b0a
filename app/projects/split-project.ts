/**
 * An operator splits a wrong link (four eyes): one spelling (credit code, project name and province,
 * compared folded) of an entry, and the loans written with it, become a project of their own again, with no
 * decided figures. The entry must hold that spelling and at least one other. When the entry's figures were
 * decided, the loans moved out and those left in are attributed anew, and the compiled quarters follow.
 */
import { randomUUID } from 'node:crypto';
import { institutionsOnEntries, registerKeysOf, splitRegisterKey } from '../../db/repositories/project-register.js';
import { registerKeyOf, registerKeyText } from '../../domain/projects/register.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { lockLiveEntries } from './common.js';
import { correctFrom } from '../disclosures/corrections.js';

export async function splitProject(
  ctx: ActorContext,
  input: { id: string; creditCode: string; name: string; province: string; reason: string },
): Promise<{ id: string; splitId: string; loans: number }> {
  const [entry] = await lockLiveEntries(ctx, [input.id]);
  const key = registerKeyOf({ creditCode: input.creditCode, projectName: input.name, province: input.province });
  const keys = (await registerKeysOf(ctx.tx, entry.id)).map(registerKeyText);
  if (!keys.includes(registerKeyText(key)))
    refuse('spelling_not_linked', `project ${entry.id} has no spelling ${input.creditCode} / ${input.name} / ${input.province}`);
  if (keys.length < 2) refuse('spelling_not_linked', `project ${entry.id} has only that spelling: there is no link to split`);
  const affected = entry.decidedAt ? await institutionsOnEntries(ctx.tx, [entry.id]) : [];
  const splitId = randomUUID();
  const loans = await splitRegisterKey(ctx.tx, { fromId: entry.id, newId: splitId, key, name: input.name, province: input.province });
  await correctFrom(ctx, affected, 'project_decided');
  return { id: entry.id, splitId, loans };
}
