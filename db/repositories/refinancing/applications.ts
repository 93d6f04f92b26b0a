/**
 * Refinancing applications: find / insert / update / lock, releasing one, and the listings a view shows. Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Tx } from '../../client.js';
import { applicationLoans, applications, collateral, institutions, operations, users } from '../../schema/index.js';
import { isUuid } from '../../../schemas/common.js';
import { visibleTo, type Visible } from './visible.js';

export type ApplicationRow = typeof applications.$inferSelect;

/** One application at a time per bank, so the same loan cannot be listed twice concurrently. */
export async function lockApplicationsOfBank(tx: Tx, institutionId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'applications:' + institutionId}))`);
}

export async function insertApplication(tx: Tx, values: typeof applications.$inferInsert): Promise<ApplicationRow> {
  const [row] = await tx.insert(applications).values(values).returning();
  return row;
}

export async function findApplication(
  tx: Tx,
  id: string,
  visible: Visible,
  options: { lock?: boolean } = {},
): Promise<ApplicationRow | null> {
  if (!isUuid(id)) return null;
  const q = tx
    .select()
    .from(applications)
    .where(and(eq(applications.id, id), visibleTo(applications.institutionId, visible)));
  const [row] = options.lock ? await q.for('update') : await q;
  return row ?? null;
}

export async function lockApplication(tx: Tx, applicationId: string) {
  await tx.select({ id: applications.id }).from(applications).where(eq(applications.id, applicationId)).for('update');
}

export async function updateApplication(tx: Tx, id: string, values: Partial<typeof applications.$inferInsert>): Promise<ApplicationRow> {
  const [row] = await tx.update(applications).set(values).where(eq(applications.id, id)).returning();
  return row;
}

/** Clears the application's loan rows (they may be listed again) and releases its collateral. */
export async function releaseApplication(tx: Tx, applicationId: string) {
  await tx.update(applicationLoans).set({ active: 0 }).where(eq(applicationLoans.applicationId, applicationId));
  await tx.update(collateral).set({ status: 'released' }).where(eq(collateral.applicationId, applicationId));
}

/** The operation's applications awaiting decision, in submission order, locked. */
export async function lockSubmittedApplications(tx: Tx, operationId: string): Promise<ApplicationRow[]> {
  return tx
    .select()
    .from(applications)
    .where(and(eq(applications.operationId, operationId), eq(applications.status, 'submitted')))
    .orderBy(asc(applications.createdAt), asc(applications.id))
    .for('update');
}

/** An application with the names a view shows: its bank's code, its quarter, who decided and who booked it. */
export type ApplicationListing = {
  application: ApplicationRow;
  institutionCode: string;
  quarter: string;
  decidedByName: string | null;
  disbursedByName: string | null;
  /** created_at to the microsecond, UTC (a JS Date keeps milliseconds and would repeat rows in a cursor) */
  createdAtUtc: string;
};

const decider = alias(users, 'decider');
const booker = alias(users, 'booker');

/** Applications oldest first with their names: one query for the page, whatever its length. */
export async function listApplications(
  tx: Tx,
  filter: {
    institutionId: string | null;
    status?: ApplicationRow['status'];
    quarter?: string;
    ids?: string[];
    after?: { createdAt: string; id: string };
    limit: number;
  },
): Promise<ApplicationListing[]> {
  if (filter.ids && filter.ids.length === 0) return [];
  return tx
    .select({
      application: applications,
      quarter: operations.quarter,
      institutionCode: institutions.code,
      decidedByName: decider.name,
      disbursedByName: booker.name,
      createdAtUtc: sql<string>`to_char(${applications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(applications)
    .innerJoin(operations, eq(operations.id, applications.operationId))
    .innerJoin(institutions, eq(institutions.id, applications.institutionId))
    .leftJoin(decider, eq(decider.id, applications.decidedBy))
    .leftJoin(booker, eq(booker.id, applications.disbursedBy))
    .where(
      and(
        visibleTo(applications.institutionId, filter),
        filter.status ? eq(applications.status, filter.status) : undefined,
        filter.quarter ? eq(operations.quarter, filter.quarter) : undefined,
        filter.ids ? inArray(applications.id, filter.ids) : undefined,
        filter.after
          ? sql`(${applications.createdAt}, ${applications.id}) > (${filter.after.createdAt}::timestamptz, ${filter.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(applications.createdAt), asc(applications.id))
    .limit(filter.limit + 1);
}

/** The listings of the given applications, in the order of `ids`. */
export async function applicationListings(tx: Tx, ids: string[]): Promise<ApplicationListing[]> {
  const rows = await listApplications(tx, { institutionId: null, ids, limit: ids.length });
  const byId = new Map(rows.map((r) => [r.application.id, r]));
  return ids.map((id) => byId.get(id)!);
}
