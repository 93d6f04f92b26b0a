/**
 * Migration mode: while a bank records its past on the system, an operator lets it date its own
 * bookings before today (applications, tranche repayments and rollovers) and import its records. Set
 * and ended by an operator, with a reason; both acts are in the institution's booking history.
 */
import { findInstitutionByCode, updateInstitution, type InstitutionRow } from '../../db/repositories/institutions.js';
import { recordBooking } from '../bookings.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { shanghaiDate } from '../../domain/dates.js';

export async function setMigrationMode(
  ctx: ActorContext,
  input: { code: string; enabled: boolean; reason: string },
): Promise<InstitutionRow> {
  const institution = (await findInstitutionByCode(ctx.tx, input.code)) ?? refuse('not_found', `institution ${input.code} not found`);
  if (institution.kind !== 'bank')
    refuseViolations([{ path: 'code', code: 'not_a_bank', message: `${input.code} is not a bank: only banks record a past` }]);
  const row = await updateInstitution(
    ctx.tx,
    institution.id,
    input.enabled
      ? {
          migrationModeSince: institution.migrationModeSince ?? ctx.now,
          migrationModeReason: input.reason,
          migrationModeSetBy: ctx.actor.userId,
        }
      : { migrationModeSince: null, migrationModeReason: input.reason, migrationModeSetBy: ctx.actor.userId },
  );
  await recordBooking(
    ctx,
    { on: shanghaiDate(ctx.now), backdated: false, subjects: [{ kind: 'institution', id: institution.id }], reason: input.reason },
    { command: input.enabled ? 'migration_mode_on' : 'migration_mode_off', institutionId: institution.id },
  );
  return row;
}
