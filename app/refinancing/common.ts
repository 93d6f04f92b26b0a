/** What the refinancing stories share: the policy in force (or the refusal), what an actor may see, a tranche's state. */
import type { FacilityRow } from '../../db/repositories/refinancing/tranches.js';
import type { Visible } from '../../db/repositories/refinancing/visible.js';
import type { Actor } from '../../domain/actor.js';
import type { IsoDate } from '../../domain/dates.js';
import { policyOn, type PolicyVersion } from '../../domain/policy/index.js';
import type { FacilityState } from '../../domain/refinancing/facility.js';
import { refuse } from '../refusals.js';

/** The facility policy in force on `on`; before the launch the story is refused. */
export function policyInForce(on: IsoDate): PolicyVersion {
  const policy = policyOn(on);
  if (!policy) refuse('facility_not_launched', `no facility policy is in force on ${on}`);
  return policy;
}

/** An operator sees every bank's rows, anyone else only their institution's (others are "not found"). */
export const visibleTo = (actor: Actor): Visible => ({ institutionId: actor.role === 'operator' ? null : actor.institutionId });

/** A tranche row as the domain's rules read it. */
export const stateOf = (f: FacilityRow): FacilityState => ({
  outstandingFen: f.outstandingFen,
  ratePpm: f.ratePpm,
  dayCount: f.dayCount as FacilityState['dayCount'],
  startOn: f.startOn,
  maturesOn: f.maturesOn,
  rolloverCount: f.rolloverCount,
  status: f.status,
  interestFromOn: f.interestFromOn,
  segmentAccruedFen: f.segmentAccruedFen,
  accruedThrough: f.accruedThrough,
  interestAccruedFen: f.interestAccruedFen,
  interestPaidFen: f.interestPaidFen,
});
