/**
 * What the register's operator acts share (docs/projects.md): the live entry an id names, locked.
 */
import { lockRegisterEntries, type RegisterEntryRow } from '../../db/repositories/project-register.js';
import { isUuid } from '../../schemas/common.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

/** The entries the ids name, locked in id order; refuses `not_found` for an unknown entry or one linked into another. */
export async function lockLiveEntries(ctx: ActorContext, ids: string[]): Promise<RegisterEntryRow[]> {
  for (const id of ids) if (!isUuid(id)) refuse('not_found', `project ${id} not found`);
  const rows = await lockRegisterEntries(ctx.tx, ids);
  return ids.map((id) => {
    const row = rows.find((r) => r.id === id) ?? refuse('not_found', `project ${id} not found`);
    if (row.mergedInto) refuse('not_found', `project ${id} was linked into project ${row.mergedInto}: act on that one`);
    return row;
  });
}
