/**
 * Collateral coverage: eligible collateral ÷ (live outstanding + interest due) per application. Below
 * 100 % an open margin call is raised (one per application), updated while short, cleared when coverage
 * is back. Checked on revaluation, repayment, rollover, added collateral and by the daily scan.
 */
import type { Tx } from '../../db/client.js';
import { findApplication, lockApplication } from '../../db/repositories/refinancing/applications.js';
import {
  collateralOf,
  findCollateral,
  findOpenMarginCall,
  insertMarginCall,
  revalue,
  updateMarginCall,
  type CollateralRow,
} from '../../db/repositories/refinancing/collateral.js';
import { liveFacilities } from '../../db/repositories/refinancing/tranches.js';
import { shanghaiDate, type IsoDate } from '../../domain/dates.js';
import type { CollateralType, PolicyVersion } from '../../domain/policy/index.js';
import { coverage, eligibleCollateralFen } from '../../domain/refinancing/collateral.js';
import { interestDueFen } from '../../domain/refinancing/facility.js';
import { bookingDate, recordBooking, type Dated } from '../bookings.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { policyInForce, stateOf } from './common.js';

/** An application's eligible collateral under `policy` (its pledged instruments after haircuts). */
export const eligibleCollateralOf = (rows: readonly CollateralRow[], policy: Pick<PolicyVersion, 'collateralHaircutPpm'>) =>
  eligibleCollateralFen(
    rows.map((r) => ({ status: r.status, marketFen: r.marketFen, type: r.instrumentType as CollateralType })),
    policy,
  );

export type Coverage = ReturnType<typeof coverage> & { eligibleCollateralFen: bigint; exposureFen: bigint };

/** Coverage of one application's live support on `on`; raises, updates or clears its margin call. */
export async function checkCoverage(tx: Tx, applicationId: string, on: IsoDate): Promise<Coverage> {
  const policy = policyInForce(on);
  // one coverage check per application at a time: each sees the others' revaluations and repayments,
  // and only one can raise the open margin call
  await lockApplication(tx, applicationId);
  const live = await liveFacilities(tx, { applicationId });
  const exposureFen = live.reduce((s, f) => s + f.outstandingFen + interestDueFen(stateOf(f), on, policy.rounding), 0n);
  const eligibleFen = eligibleCollateralOf(await collateralOf(tx, applicationId), policy);
  const cov = coverage(eligibleFen, exposureFen);
  const open = await findOpenMarginCall(tx, applicationId);
  if (!cov.covered) {
    if (open) await updateMarginCall(tx, open.id, { eligibleCollateralFen: eligibleFen, exposureFen, shortfallFen: cov.shortfallFen });
    else
      await insertMarginCall(tx, {
        institutionId: (await findApplication(tx, applicationId, { institutionId: null }))!.institutionId,
        applicationId,
        raisedOn: on,
        eligibleCollateralFen: eligibleFen,
        exposureFen,
        shortfallFen: cov.shortfallFen,
      });
  } else if (open) {
    await updateMarginCall(tx, open.id, {
      status: 'cleared',
      clearedOn: on,
      eligibleCollateralFen: eligibleFen,
      exposureFen,
      shortfallFen: 0n,
    });
  }
  return { eligibleCollateralFen: eligibleFen, exposureFen, ...cov };
}

/**
 * An operator revalues an instrument on `on` (its `valuedOn`; today unless dated earlier, with a
 * reason); the application's coverage is checked again.
 */
export async function revalueCollateral(ctx: ActorContext, input: { collateralId: string; marketFen: bigint; valuedOn?: IsoDate } & Dated) {
  const { tx } = ctx;
  const today = shanghaiDate(ctx.now);
  const on = input.on ?? input.valuedOn ?? today;
  if (on > today) refuseViolations([{ path: 'valuedOn', code: 'date_in_future', message: `${on} is after today` }]);
  const unlocked = await findCollateral(tx, input.collateralId, { institutionId: null });
  if (!unlocked) refuse('not_found', `collateral ${input.collateralId} not found`);
  await lockApplication(tx, unlocked.applicationId);
  const item = (await findCollateral(tx, input.collateralId, { institutionId: null }))!;
  if (item.status !== 'pledged') refuse('collateral_released', 'a released instrument is not revalued');
  if (on < item.valuedOn)
    refuseViolations([{ path: 'valuedOn', code: 'valuation_out_of_order', message: `the instrument was last valued on ${item.valuedOn}` }]);
  const date = await bookingDate(ctx, { on, reason: input.reason, subjects: [{ kind: 'collateral', id: item.id }] });
  const row = await revalue(tx, { id: item.id, marketFen: input.marketFen, on, userId: ctx.actor.userId });
  await recordBooking(ctx, date, { command: 'revalue', institutionId: item.institutionId });
  const cov = await checkCoverage(tx, item.applicationId, on);
  return { collateral: row, coverage: cov };
}
