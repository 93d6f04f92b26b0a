/**
 * Operators' changes to the policy data: proposals, decisions, the confirmed rows the policy data in
 * force is built from, and the audit list. Plain rows in and out; the rules (four eyes, dates, what a
 * change may say) live in app/policy/*.ts and domain/policy/changes.ts, which pass the clock in.
 */
import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PolicyChangeData, PolicyChangeKind } from '../../domain/policy/changes.js';
import { isUuid } from '../../schemas/common.js';
import type { Tx } from '../client.js';
import { policyChanges, users } from '../schema/index.js';

export type PolicyChangeRow = typeof policyChanges.$inferSelect;
export type PolicyChangeStatus = PolicyChangeRow['status'];
/** A change with the names of who proposed and who decided it. */
export type PolicyChangeWithNames = { change: PolicyChangeRow; proposedByName: string; decidedByName: string | null };

/** Serialises proposals and decisions (one at a time across processes), until the transaction ends. */
export async function lockPolicyChanges(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('policy_changes'))`);
}

export async function insertPolicyChange(
  tx: Tx,
  row: {
    kind: PolicyChangeKind;
    effectiveOn: string;
    versionId: string | null;
    data: PolicyChangeData;
    reason: string;
    proposedBy: string;
    proposedAt: Date;
  },
): Promise<PolicyChangeRow> {
  const [inserted] = await tx.insert(policyChanges).values(row).returning();
  return inserted;
}

/** The change with this id, locked for update; null when absent or not a uuid. */
export async function lockPolicyChange(tx: Tx, id: string): Promise<PolicyChangeRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await tx.select().from(policyChanges).where(eq(policyChanges.id, id)).for('update');
  return row ?? null;
}

/** The live (pending or confirmed) change of this kind on this date, or null. */
export async function findLiveChangeOn(tx: Tx, kind: PolicyChangeKind, effectiveOn: string): Promise<PolicyChangeRow | null> {
  const [row] = await tx
    .select()
    .from(policyChanges)
    .where(and(eq(policyChanges.kind, kind), eq(policyChanges.effectiveOn, effectiveOn), ne(policyChanges.status, 'declined')))
    .limit(1);
  return row ?? null;
}

/** The live (pending or confirmed) change of this kind introducing this version name, or null. */
export async function findLiveChangeNamed(tx: Tx, kind: PolicyChangeKind, versionId: string): Promise<PolicyChangeRow | null> {
  const [row] = await tx
    .select()
    .from(policyChanges)
    .where(and(eq(policyChanges.kind, kind), eq(policyChanges.versionId, versionId), ne(policyChanges.status, 'declined')))
    .limit(1);
  return row ?? null;
}

/** Every confirmed change, in the order proposed: what the policy data in force is built from. */
export async function listConfirmedChanges(tx: Tx): Promise<{ id: string; data: PolicyChangeData }[]> {
  return tx
    .select({ id: policyChanges.id, data: policyChanges.data })
    .from(policyChanges)
    .where(eq(policyChanges.status, 'confirmed'))
    .orderBy(policyChanges.seq);
}

/** Writes the decision on a change. */
export async function decidePolicyChange(
  tx: Tx,
  id: string,
  decision: { status: 'confirmed' | 'declined'; decidedBy: string; decidedAt: Date; decisionNote: string | null },
): Promise<PolicyChangeRow> {
  const [row] = await tx.update(policyChanges).set(decision).where(eq(policyChanges.id, id)).returning();
  return row;
}

const proposer = alias(users, 'proposer');
const decider = alias(users, 'decider');

function withNames(tx: Tx) {
  return tx
    .select({ change: policyChanges, proposedByName: proposer.name, decidedByName: decider.name })
    .from(policyChanges)
    .innerJoin(proposer, eq(policyChanges.proposedBy, proposer.id))
    .leftJoin(decider, eq(policyChanges.decidedBy, decider.id));
}

/** One change with the names of who proposed and decided it; null when absent or not a uuid. */
export async function findPolicyChange(tx: Tx, id: string): Promise<PolicyChangeWithNames | null> {
  if (!isUuid(id)) return null;
  const [row] = await withNames(tx).where(eq(policyChanges.id, id));
  return row ?? null;
}

/** A page of changes, newest proposal first, before `beforeSeq`; `limit + 1` rows tell whether more follow. */
export async function listPolicyChanges(
  tx: Tx,
  filter: { status?: PolicyChangeStatus; kind?: PolicyChangeKind; beforeSeq?: number; limit: number },
): Promise<PolicyChangeWithNames[]> {
  const conditions = [
    filter.status ? eq(policyChanges.status, filter.status) : undefined,
    filter.kind ? eq(policyChanges.kind, filter.kind) : undefined,
    filter.beforeSeq !== undefined ? lt(policyChanges.seq, filter.beforeSeq) : undefined,
  ].filter((c) => c !== undefined);
  return withNames(tx)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(policyChanges.seq))
    .limit(filter.limit + 1);
}
