/**
 * An operator registers a bank or a verifier: the institution and its first user, whose API key is
 * answered once. Refuses `validation_failed` (`dates_incoherent`) when the eligibility window ends
 * before it starts, `institution_code_taken` when the code is in use.
 */
import { findInstitutionByCreditCode, insertInstitution, insertUser, type InstitutionRow } from '../../db/repositories/institutions.js';
import type { InstitutionCategory } from '../../domain/policy/index.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

export type RegisterInstitution = {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: 'bank' | 'verifier';
  eligibleFrom?: string;
  eligibleUntil?: string;
  category?: InstitutionCategory;
  province?: string;
  unifiedSocialCreditCode?: string;
  categoryException?: boolean;
  /** name of the first user (default "<code> API") */
  userName?: string;
};

export async function registerInstitution(
  ctx: ActorContext,
  input: RegisterInstitution,
): Promise<{ institution: InstitutionRow; user: { id: string; name: string; apiKey: string } }> {
  if (input.eligibleFrom && input.eligibleUntil && input.eligibleUntil < input.eligibleFrom) {
    refuseViolations([{ path: 'eligibleUntil', code: 'dates_incoherent', message: 'eligibleUntil must not be before eligibleFrom' }]);
  }
  if (input.unifiedSocialCreditCode && (await findInstitutionByCreditCode(ctx.tx, input.unifiedSocialCreditCode))) {
    refuseViolations([
      { path: 'unifiedSocialCreditCode', code: 'credit_code_taken', message: 'another institution has this unified social credit code' },
    ]);
  }
  const institution = await insertInstitution(ctx.tx, { ...input, kind: input.kind });
  if (!institution) refuse('institution_code_taken', `an institution with code ${input.code} already exists`);
  // the first user is the institution's admin: it manages its own institution's users and keys
  const user = await insertUser(ctx.tx, {
    institutionId: institution.id,
    name: input.userName ?? `${input.code} API`,
    role: input.kind,
    isAdmin: true,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  return { institution, user };
}
