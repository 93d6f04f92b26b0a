/**
 * An operator proposes a change to the policy data: an LPR fixing (or a month confirmed unchanged), a
 * policy version (its changes from the version in force the day before its date) or a taxonomy
 * version. Nothing takes effect until a second operator confirms it (./confirm-policy-change.ts).
 *
 * Dates (our choice): one live change per kind and date, and a date the built-in data already holds is
 * taken (`effective_date_taken`): a correction is new data with its own date, never a second value for
 * the same day. Back-dated changes are allowed (a missed fixing, a version announced late) and apply
 * from their date to every rule looked up from then on; loans already recorded keep the comparison
 * and versions stored with them. A fixing cannot be dated after today (it is published, not
 * announced); a policy or taxonomy version may be (announced ahead). Versions are dated after the
 * launch (the first built-in version).
 */
import { shanghaiDate } from '../../domain/dates.js';
import {
  BUILT_IN_POLICY_DATA,
  builtInConflict,
  checkPolicyChange,
  effectiveDateOf,
  versionIdOf,
  type PolicyChangeData,
} from '../../domain/policy/index.js';
import type { Tx } from '../../db/client.js';
import {
  findLiveChangeNamed,
  findLiveChangeOn,
  insertPolicyChange,
  lockPolicyChanges,
  type PolicyChangeRow,
} from '../../db/repositories/policy-changes.js';
import type { ActorContext } from '../perform.js';
import { refuse, refuseViolations } from '../refusals.js';
import { loadPolicyData } from './policy-data.js';

/** The change as stored: a policy version's id filled in (its date by default), empty lists made explicit. */
function normalised(data: PolicyChangeData): PolicyChangeData {
  if (data.kind === 'policy_version') return { ...data, id: versionIdOf(data)! };
  if (data.kind === 'taxonomy_version') return { ...data, changes: { add: data.changes.add ?? [], remove: data.changes.remove ?? [] } };
  return data;
}

const datePath = (data: PolicyChangeData) => (data.kind === 'lpr_fixing' ? 'fixedOn' : 'effectiveFrom');
const versionPath = (data: PolicyChangeData) => (data.kind === 'policy_version' ? 'id' : 'version');

/** Refuses a change whose date (or version name) the built-in data or another live change already holds. */
export async function refuseTakenDates(tx: Tx, data: PolicyChangeData, ownId?: string): Promise<void> {
  const date = effectiveDateOf(data);
  const versionId = versionIdOf(data);
  const builtIn = builtInConflict(BUILT_IN_POLICY_DATA, data.kind, date, versionId);
  if (builtIn?.taken === 'date')
    refuse('effective_date_taken', `${builtIn.message}: a correction is new data with its own date`, { path: datePath(data) });
  if (builtIn?.taken === 'version') refuse('version_id_taken', builtIn.message, { path: versionPath(data) });
  const onDate = await findLiveChangeOn(tx, data.kind, date);
  if (onDate && onDate.id !== ownId) {
    refuse(
      'effective_date_taken',
      `change ${onDate.id} (${onDate.status}) is already dated ${date}: a correction is new data with its own date`,
      { path: datePath(data), extra: { changeId: onDate.id } },
    );
  }
  if (versionId !== null) {
    const named = await findLiveChangeNamed(tx, data.kind, versionId);
    if (named && named.id !== ownId)
      refuse('version_id_taken', `change ${named.id} (${named.status}) already introduces version ${versionId}`, {
        path: versionPath(data),
        extra: { changeId: named.id },
      });
  }
}

export async function proposePolicyChange(ctx: ActorContext, input: { reason: string; data: PolicyChangeData }): Promise<PolicyChangeRow> {
  const { tx } = ctx;
  await lockPolicyChanges(tx);
  const data = normalised(input.data);
  const violations = checkPolicyChange(await loadPolicyData(tx), data, shanghaiDate(ctx.now));
  if (violations.length) refuseViolations(violations);
  await refuseTakenDates(tx, data);
  return insertPolicyChange(tx, {
    kind: data.kind,
    effectiveOn: effectiveDateOf(data),
    versionId: versionIdOf(data),
    data,
    reason: input.reason,
    proposedBy: ctx.actor.userId,
    proposedAt: ctx.now,
  });
}
