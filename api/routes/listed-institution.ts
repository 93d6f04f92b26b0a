/** Which institution a list is of: an operator names one (`?institution=CODE`) or lists them all; anyone else lists its own. */
import type { Db } from '../../db/client.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import type { Actor } from '../../process/context.js';
import { notFound } from '../errors.js';

/** The institution's id, undefined for an operator's list of every institution; an unknown code is 404. */
export async function listedInstitutionId(db: Db, actor: Actor, code: string | undefined): Promise<string | undefined> {
  if (actor.role !== 'operator') return actor.institutionId;
  if (!code) return undefined;
  const institution = await findInstitutionByCode(db, code);
  if (!institution) throw notFound(`institution ${code}`);
  return institution.id;
}
