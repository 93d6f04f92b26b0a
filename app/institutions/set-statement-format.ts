/**
 * A bank's statement format (domain/disclosures/format.ts), effective-dated: set by the bank itself or
 * an operator, from a date on (default today); a quarter's versions print in the setting in force on
 * the quarter's last day. Versions compiled already keep theirs (their content never changes): a new
 * format reaches a quarter through its next version.
 */
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { statementFormatsOf, upsertStatementFormat, type StatementFormatRow } from '../../db/repositories/statements.js';
import { shanghaiDate } from '../../domain/dates.js';
import { checkFormat, type StatementFormat } from '../../domain/disclosures/format.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';

export async function setStatementFormat(
  ctx: ActorContext,
  input: { code: string; effectiveFrom?: string; format: StatementFormat },
): Promise<{ setting: StatementFormatRow; history: StatementFormatRow[] }> {
  const institution = await findInstitutionByCode(ctx.tx, input.code);
  if (!institution || (ctx.actor.role === 'bank' && ctx.actor.institutionId !== institution.id))
    refuse('not_found', `institution ${input.code} not found`);
  if (institution.kind !== 'bank')
    refuseViolations([{ path: 'code', code: 'not_a_bank', message: `${input.code} is not a bank: only banks publish statements` }]);
  const violations = checkFormat(input.format);
  if (violations.length) refuseViolations(violations);
  const setting = await upsertStatementFormat(ctx.tx, {
    institutionId: institution.id,
    effectiveFrom: input.effectiveFrom ?? shanghaiDate(ctx.now),
    ...input.format,
    setBy: ctx.actor.userId,
    setAt: ctx.now,
  });
  return { setting, history: await statementFormatsOf(ctx.tx, institution.id) };
}

/** The settings of a bank (the bank itself or an operator). */
export async function statementFormatHistory(ctx: ActorContext, input: { code: string }): Promise<StatementFormatRow[]> {
  const institution = await findInstitutionByCode(ctx.tx, input.code);
  if (!institution || institution.kind !== 'bank' || (ctx.actor.role === 'bank' && ctx.actor.institutionId !== institution.id))
    refuse('not_found', `bank ${input.code} not found`);
  return statementFormatsOf(ctx.tx, institution.id);
}
