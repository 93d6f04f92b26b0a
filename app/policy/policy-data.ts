/**
 * The policy data in force in this process (domain/policy/registry.ts): the built-in constants merged
 * with the changes operators confirmed. `refreshPolicyData` reads the confirmed rows and replaces the
 * data whole when they differ from the ones in force. The service and the worker call it at start and
 * every `POLICY_DATA_REFRESH_MS` (they own the timers), and the confirmation route right after its
 * transaction commits, so this process sees a confirmation at once and the others within the interval.
 */
import type { Tx } from '../../db/client.js';
import { listConfirmedChanges } from '../../db/repositories/policy-changes.js';
import {
  BUILT_IN_POLICY_DATA,
  buildPolicyData,
  policyData,
  replacePolicyData,
  type PolicyChangeData,
  type PolicyData,
} from '../../domain/policy/index.js';

/** How often a running process re-reads the confirmed changes (other processes' confirmations). */
export const POLICY_DATA_REFRESH_MS = 30_000;

const build = (rows: { id: string; data: PolicyChangeData }[]) =>
  buildPolicyData(
    BUILT_IN_POLICY_DATA,
    rows.map((r) => ({ changeId: r.id, data: r.data })),
  );

/** The policy data the confirmed rows make, as seen by `tx` (inside a transaction: its own writes included). */
export async function loadPolicyData(tx: Tx): Promise<PolicyData> {
  return build(await listConfirmedChanges(tx));
}

/** Refreshes started and the latest applied: a read that started earlier never replaces a later one's data. */
let started = 0;
let applied = 0;

/** Puts the confirmed changes in force in this process; true when the data changed. */
export async function refreshPolicyData(db: Tx): Promise<boolean> {
  const ticket = ++started;
  const rows = await listConfirmedChanges(db);
  if (ticket < applied) return false;
  applied = ticket;
  const current = policyData().changeIds;
  if (rows.length === current.length && rows.every((r, i) => r.id === current[i])) return false;
  replacePolicyData(build(rows));
  return true;
}
