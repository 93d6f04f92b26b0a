/**
 * An operator changes an institution's names, eligibility window, category, province or unified social
 * credit code. Refuses `not_found` when no institution has the code, `validation_failed`
 * (`credit_code_taken`) when another institution holds the credit code.
 */
import {
  findInstitutionByCode,
  findInstitutionByCreditCode,
  updateInstitution as updateInstitutionRow,
  type InstitutionRow,
} from '../../db/repositories/institutions.js';
import type { InstitutionCategory } from '../../domain/policy/index.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

export type InstitutionChange = {
  nameZh?: string;
  nameEn?: string;
  eligibleFrom?: string;
  eligibleUntil?: string;
  category?: InstitutionCategory;
  province?: string;
  unifiedSocialCreditCode?: string;
  categoryException?: boolean;
};

export async function updateInstitution(ctx: ActorContext, input: { code: string; change: InstitutionChange }): Promise<InstitutionRow> {
  const institution = (await findInstitutionByCode(ctx.tx, input.code)) ?? refuse('not_found', `institution ${input.code} not found`);
  const credit = input.change.unifiedSocialCreditCode;
  const holder = credit ? await findInstitutionByCreditCode(ctx.tx, credit) : null;
  if (holder && holder.id !== institution.id) {
    refuseViolations([
      {
        path: 'unifiedSocialCreditCode',
        code: 'credit_code_taken',
        message: `institution ${holder.code} has this unified social credit code`,
      },
    ]);
  }
  return updateInstitutionRow(ctx.tx, institution.id, input.change);
}
