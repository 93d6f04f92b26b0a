/**
 * Proposed operator acts (four eyes): plain rows in and out. The rules (who may confirm, expiry, which
 * act runs) live in app/approvals/*.ts, which passes the clock in.
 */
import { and, count, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { isUuid } from '../../schemas/common.js';
import type { Tx } from '../client.js';
import { approvals, institutions, users } from '../schema/index.js';

export type ApprovalRow = typeof approvals.$inferSelect;
export type ApprovalStatus = ApprovalRow['status'];
export type ApprovalWithNames = { approval: ApprovalRow; proposedByName: string; decidedByName: string | null };

export async function insertApproval(
  tx: Tx,
  row: Omit<typeof approvals.$inferInsert, 'id' | 'seq' | 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'result'>,
): Promise<ApprovalRow> {
  const [inserted] = await tx.insert(approvals).values(row).returning();
  return inserted;
}

/** The approval with this id, locked for update (two confirmations wait for each other); null when absent. */
export async function lockApproval(tx: Tx, id: string): Promise<ApprovalRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await tx.select().from(approvals).where(eq(approvals.id, id)).for('update');
  return row ?? null;
}

/** The approval standing for a resource of a kind (e.g. the one of a policy change), newest first. */
export async function findApprovalFor(tx: Tx, kind: string, resource: string, resourceId: string): Promise<ApprovalRow | null> {
  const [row] = await tx
    .select()
    .from(approvals)
    .where(and(eq(approvals.kind, kind), eq(approvals.resource, resource), eq(approvals.resourceId, resourceId)))
    .orderBy(desc(approvals.seq))
    .limit(1);
  return row ?? null;
}

export async function decideApproval(
  tx: Tx,
  id: string,
  decision: {
    status: 'confirmed' | 'declined' | 'withdrawn';
    decidedBy: string;
    decidedAt: Date;
    decisionNote: string | null;
    result?: Record<string, unknown> | null;
  },
): Promise<ApprovalRow> {
  const [row] = await tx.update(approvals).set(decision).where(eq(approvals.id, id)).returning();
  return row;
}

/** Active (not revoked) users of the central bank's operator institution. */
export async function countActiveOperators(tx: Tx): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(and(eq(institutions.kind, 'operator'), eq(users.role, 'operator'), isNull(users.revokedAt)));
  return Number(row.n);
}

/** Serialises the bootstrap check (two operators creating "the second" at once) until the transaction ends. */
export async function lockOperatorBootstrap(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('operator_bootstrap'))`);
}

const proposer = alias(users, 'proposer');
const decider = alias(users, 'decider');

function withNames(tx: Tx) {
  return tx
    .select({ approval: approvals, proposedByName: proposer.name, decidedByName: decider.name })
    .from(approvals)
    .innerJoin(proposer, eq(approvals.proposedBy, proposer.id))
    .leftJoin(decider, eq(approvals.decidedBy, decider.id));
}

export async function findApproval(tx: Tx, id: string): Promise<ApprovalWithNames | null> {
  if (!isUuid(id)) return null;
  const [row] = await withNames(tx).where(eq(approvals.id, id));
  return row ?? null;
}

/**
 * A page of approvals, newest first, before `beforeSeq`; `limit + 1` rows tell whether more follow.
 * `open` (pending and not expired at `asOf`) and `expired` (pending past it) are read from `expiresAt`.
 */
export async function listApprovals(
  tx: Tx,
  filter: { status?: ApprovalStatus | 'expired'; kind?: string; asOf: Date; beforeSeq?: number; limit: number },
): Promise<ApprovalWithNames[]> {
  const conditions = [
    filter.status === 'expired'
      ? and(eq(approvals.status, 'pending'), sql`${approvals.expiresAt} <= ${filter.asOf.toISOString()}`)
      : filter.status === 'pending'
        ? and(eq(approvals.status, 'pending'), sql`${approvals.expiresAt} > ${filter.asOf.toISOString()}`)
        : filter.status
          ? eq(approvals.status, filter.status)
          : undefined,
    filter.kind ? eq(approvals.kind, filter.kind) : undefined,
    filter.beforeSeq !== undefined ? lt(approvals.seq, filter.beforeSeq) : undefined,
  ].filter((c) => c !== undefined);
  return withNames(tx)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(approvals.seq))
    .limit(filter.limit + 1);
}
