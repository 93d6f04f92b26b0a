/** Quarterly operations (按季操作): opened by an operator with a volume, capped per year by the policy; closed to new applications. */
import {
  findOperation,
  insertOperation,
  lockOperationsOfYear,
  operationsVolumeOfYear,
  setOperationClosed,
  type OperationRow,
} from '../../db/repositories/refinancing.js';
import { quarterBounds } from '../../domain/dates.js';
import { policyOn } from '../../domain/policy/index.js';
import { checkOperation } from '../../domain/refinancing/operation.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseWith } from '../refusals.js';

export async function openOperation(ctx: ActorContext, input: { quarter: string; volumeFen: bigint }): Promise<OperationRow> {
  const { tx } = ctx;
  // the policy in force at the quarter's end: rules announced during a quarter (the 2026 cap from
  // 2026-01-15, the 2023 extension from 2023-01-29) govern that quarter's operation
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
  return insertOperation(tx, {
    quarter: input.quarter,
    opensOn: checked.value.opensOn,
    closesOn: checked.value.closesOn,
    volumeFen: input.volumeFen,
    createdBy: ctx.actor.userId,
  });
}

export async function closeOperation(ctx: ActorContext, input: { quarter: string }): Promise<OperationRow> {
  const row = await setOperationClosed(ctx.tx, input.quarter);
  if (!row) refuse('not_found', `operation ${input.quarter} not found`);
  return row;
}
