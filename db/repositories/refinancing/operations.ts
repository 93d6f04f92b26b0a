/**
 * Quarterly refinancing operations: find / insert / close, the annual volume, and each operation's usage
 * (approved, disbursed, awaiting decision) summed in SQL. Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../client.js';
import { applications, operations } from '../../schema/index.js';

export type OperationRow = typeof operations.$inferSelect;

export type OperationUsage = { approvedFen: bigint; disbursedFen: bigint; awaitingFen: bigint; awaitingCount: number };

/** Σ approved of approved and disbursed applications, Σ disbursed, Σ requested and count awaiting decision. */
const usageColumns = {
  approvedFen: sql<string>`coalesce(sum(${applications.approvedFen}) filter (where ${applications.status} in ('approved','disbursed')), 0)::text`,
  disbursedFen: sql<string>`coalesce(sum(${applications.approvedFen}) filter (where ${applications.status} = 'disbursed'), 0)::text`,
  awaitingFen: sql<string>`coalesce(sum(${applications.requestedFen}) filter (where ${applications.status} = 'submitted'), 0)::text`,
  awaitingCount: sql<number>`count(${applications.id}) filter (where ${applications.status} = 'submitted')::int`,
};
const usageOf = (r: { approvedFen: string; disbursedFen: string; awaitingFen: string; awaitingCount: number }): OperationUsage => ({
  approvedFen: BigInt(r.approvedFen),
  disbursedFen: BigInt(r.disbursedFen),
  awaitingFen: BigInt(r.awaitingFen),
  awaitingCount: r.awaitingCount,
});

export async function operationUsage(tx: Tx, operationId: string): Promise<OperationUsage> {
  const [row] = await tx.select(usageColumns).from(applications).where(eq(applications.operationId, operationId));
  return usageOf(row);
}

/** Serialises operation writes for a calendar year (so two openings cannot both pass the annual cap). */
export async function lockOperationsOfYear(tx: Tx, year: number) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'operations:' + year}))`);
}

export async function operationsVolumeOfYear(tx: Tx, year: number): Promise<bigint> {
  const [row] = await tx
    .select({ volumeFen: sql<string>`coalesce(sum(${operations.volumeFen}), 0)::text` })
    .from(operations)
    .where(sql`${operations.quarter} like ${year + 'Q%'}`);
  return BigInt(row.volumeFen);
}

export async function insertOperation(tx: Tx, values: typeof operations.$inferInsert): Promise<OperationRow> {
  const [row] = await tx.insert(operations).values(values).returning();
  return row;
}

export async function findOperation(tx: Tx, quarter: string): Promise<OperationRow | null> {
  const [row] = await tx.select().from(operations).where(eq(operations.quarter, quarter));
  return row ?? null;
}

export async function lockOperation(tx: Tx, operationId: string): Promise<OperationRow> {
  const [row] = await tx.select().from(operations).where(eq(operations.id, operationId)).for('update');
  return row;
}

export async function setOperationClosed(tx: Tx, quarter: string): Promise<OperationRow | null> {
  const [row] = await tx.update(operations).set({ status: 'closed' }).where(eq(operations.quarter, quarter)).returning();
  return row ?? null;
}

export type OperationListing = { operation: OperationRow; usage: OperationUsage };

/** Operations, newest quarter first, each with its usage: one query for the page. */
export async function listOperations(
  tx: Tx,
  filter: { afterQuarter?: string; quarter?: string; limit: number },
): Promise<OperationListing[]> {
  const rows = await tx
    .select({ operation: operations, ...usageColumns })
    .from(operations)
    .leftJoin(applications, eq(applications.operationId, operations.id))
    .where(
      and(
        filter.afterQuarter ? sql`${operations.quarter} < ${filter.afterQuarter}` : undefined,
        filter.quarter ? eq(operations.quarter, filter.quarter) : undefined,
      ),
    )
    .groupBy(operations.id)
    .orderBy(desc(operations.quarter))
    .limit(filter.limit + 1);
  return rows.map((r) => ({ operation: r.operation, usage: usageOf(r) }));
}
