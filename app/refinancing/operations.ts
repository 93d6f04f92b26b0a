/** Quarterly operations (按季操作): opened by an operator with a volume, capped per year by the policy; closed to new applications. */
import {
  findOperation,
  insertOperation,
  lockOperationsOfYear,
  operationsVolumeOfYear,
  setOperationClosed,
  type OperationRow,
} from '../../db/repositories/refinancing/operations.js';
import { quarterBounds } from '../../domain/dates.js';
import { policyOn } from '../../domain/policy/index.js';
import { checkOperation } from '../../domain/refinancing/operation.js';
import { bookingDate, recordBooking, type Dated } from '../bookings.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseWith } from '../refusals.js';

/** Opens the quarter's operation on `on` (default today; an operator may date it earlier). */
export async function openOperation(ctx: ActorContext, input: { quarter: string; volumeFen: bigint } & Dated): Promise<OperationRow> {
  const { tx } = ctx;
  const date = await bookingDate(ctx, { on: input.on, reason: input.reason, subjects: [] });
  // the policy in force at the quarter's end: rules announced during a quarter (the 2026 cap from
  // 2026-01-15) govern that quarter's operation
  const { end, year } = quarterBounds(input.quarter);
  // serialise operation writes for the year so two openings cannot both pass the annual cap
  await lockOperationsOfYear(tx, year);
  const existing = await findOperation(tx, input.quarter);
  if (existing) refuse('operation_exists', `the operation for ${input.quarter} is already open (volume ${existing.volumeFen} fen)`);
  const checked = checkOperation({
    quarter: input.quarter,
    volumeFen: input.volumeFen,
    yearVolumeFen: await operationsVolumeOfYear(tx, year),
    policy: policyOn(end),
  });
  if (!checked.ok) refuseWith(checked);
  const row = await insertOperation(tx, {
    quarter: input.quarter,
    opensOn: checked.value.opensOn,
    closesOn: checked.value.closesOn,
    volumeFen: input.volumeFen,
    createdBy: ctx.actor.userId,
  });
  await recordBooking(ctx, date, { command: 'open_operation', institutionId: null, created: [{ kind: 'operation', id: row.id }] });
  return row;
}

export async function closeOperation(ctx: ActorContext, input: { quarter: string }): Promise<OperationRow> {
  const row = await setOperationClosed(ctx.tx, input.quarter);
  if (!row) refuse('not_found', `operation ${input.quarter} not found`);
  return row;
}
