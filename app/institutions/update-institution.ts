/**
 * An operator changes an institution's names or eligibility window. Refuses `not_found` when no
 * institution has the code.
 */
import {
  findInstitutionByCode,
  updateInstitution as updateInstitutionRow,
  type InstitutionRow,
} from '../../db/repositories/institutions.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

export async function updateInstitution(
  ctx: ActorContext,
  input: { code: string; change: { nameZh?: string; nameEn?: string; eligibleFrom?: string; eligibleUntil?: string } },
): Promise<InstitutionRow> {
  const institution = (await findInstitutionByCode(ctx.tx, input.code)) ?? refuse('not_found', `institution ${input.code} not found`);
  return updateInstitutionRow(ctx.tx, institution.id, input.change);
}
