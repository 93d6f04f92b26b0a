/**
 * An operator adds a user (and API key, and optionally a sign-in password) to an institution, e.g.
 * the second operator who books disbursements. The user takes the institution's role. Refuses
 * `not_found` when no institution has the code. A central-bank operator takes four eyes (app/approvals/):
 * its proposal stores the password's hash (`passwordHash`), never the password.
 */
import { findInstitutionByCode, insertUser } from '../../db/repositories/institutions.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

export async function addUser(
  ctx: ActorContext,
  input: { institutionCode: string; name: string; password?: string; passwordHash?: string },
): Promise<{ id: string; name: string; role: 'operator' | 'bank' | 'verifier'; apiKey: string }> {
  const institution =
    (await findInstitutionByCode(ctx.tx, input.institutionCode)) ?? refuse('not_found', `institution ${input.institutionCode} not found`);
  return insertUser(ctx.tx, {
    institutionId: institution.id,
    name: input.name,
    role: institution.kind,
    password: input.password,
    passwordHash: input.passwordHash,
  });
}
