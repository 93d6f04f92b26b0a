/**
 * Adds a user (and API key, and optionally a sign-in password) to an institution, e.g. the second
 * operator who books disbursements. The user takes the institution's role. An operator adds users to
 * any institution; an admin of a bank or verifier to its own (and may make them admins). Refuses
 * `not_found` when no institution has the code (or it is another's, for an admin), `forbidden` otherwise.
 * A central-bank operator takes four eyes (app/approvals/): its proposal stores the password's hash
 * (`passwordHash`), never the password.
 */
import { findInstitutionByCode, insertUser } from '../../db/repositories/institutions.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

export async function addUser(
  ctx: ActorContext,
  input: { institutionCode: string; name: string; password?: string; passwordHash?: string; admin?: boolean },
): Promise<{ id: string; name: string; role: 'operator' | 'bank' | 'verifier'; admin: boolean; apiKey: string; keyId: string }> {
  const institution = await findInstitutionByCode(ctx.tx, input.institutionCode);
  const own = institution?.id === ctx.actor.institutionId;
  if (!institution || (ctx.actor.role !== 'operator' && !own)) return refuse('not_found', `institution ${input.institutionCode} not found`);
  if (ctx.actor.role !== 'operator' && !ctx.actor.isAdmin)
    refuse('forbidden', "only an institution's admins (or an operator) add its users");
  if (input.admin && institution.kind === 'operator')
    refuse('forbidden', 'operators are not admins of an institution: every operator manages users');
  const user = await insertUser(ctx.tx, {
    institutionId: institution.id,
    name: input.name,
    role: institution.kind,
    password: input.password,
    passwordHash: input.passwordHash,
    isAdmin: input.admin ?? false,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  return { id: user.id, name: user.name, role: user.role, admin: user.isAdmin, apiKey: user.apiKey, keyId: user.keyId };
}
