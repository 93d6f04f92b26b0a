/**
 * Tranche pools and pool shortfalls: the underlying loans' outstanding eligible principal of a tranche on
 * a date (the SQL mirrors of domain/refinancing/pool.ts), which applications a loan repayment or a loan's
 * maturity touches, and the pool_shortfalls rows (find / insert / update / list). Plain rows in and out;
 * set-based over many applications; the rules live in app/refinancing/pool-shortfalls.ts.
 */
import { and, asc, eq, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { IsoDate } from '../../domain/dates.js';
import type { Tx } from '../client.js';
import { applicationLoans, applications, facilities, institutions, loans, poolShortfalls } from '../schema/index.js';
import { poolOutstandingEligibleFenSql } from '../sql/refinancing/pool-outstanding-eligible-fen.js';
import { LIVE_STATUSES } from '../sql/refinancing/status-on.js';
import { repaymentsOfLoanSql } from './refinancing/application-loans.js';
import type { FacilityRow } from './refinancing/tranches.js';

export type PoolShortfallRow = typeof poolShortfalls.$inferSelect;

/**
 * Σ outstanding principal on `on` of the loans that count in the pool of the application `applicationId`
 * (an SQL expression), from the application's rows alone: their copies of the loan's principal, maturity
 * and eligibility (kept equal to the loan's on a live row, db/schema/refinancing.ts), and the loan's
 * repayments, looked up only for the loans that count.
 */
const poolOfApplicationSql = (applicationId: SQL, on: IsoDate) =>
  sql`(select ${poolOutstandingEligibleFenSql(
    {
      principalFen: sql`${applicationLoans.loanPrincipalFen}`,
      repayments: repaymentsOfLoanSql(sql`${applicationLoans.loanId}`),
      maturesOn: sql`${applicationLoans.loanMaturesOn}`,
      eligibility: sql`${applicationLoans.loanEligibility}`,
      active: sql`${applicationLoans.active}`,
    },
    sql`${on}::date`,
  )} from ${applicationLoans} where ${applicationLoans.applicationId} = ${applicationId})`;

/** The pool of each application on `on`: its loans' outstanding eligible principal (0 when none counts). */
export async function poolOutstandingOf(tx: Tx, applicationIds: readonly string[], on: IsoDate): Promise<Map<string, bigint>> {
  if (applicationIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: applications.id, poolFen: sql<string>`${poolOfApplicationSql(sql`${applications.id}`, on)}::text` })
    .from(applications)
    .where(inArray(applications.id, [...applicationIds]));
  return new Map(rows.map((r) => [r.id, BigInt(r.poolFen)]));
}

/** The disbursed applications that list the loan on an active row (their tranches pool it). */
export async function applicationsPoolingLoan(tx: Tx, loanId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: applications.id })
    .from(applicationLoans)
    .innerJoin(applications, eq(applications.id, applicationLoans.applicationId))
    .where(and(eq(applicationLoans.loanId, loanId), eq(applicationLoans.active, 1), eq(applications.status, 'disbursed')));
  return rows.map((r) => r.id);
}

/**
 * The applications with a live tranche whose pool lists a loan that matured on or before `on` during the
 * tranche's current term (from its start date): the ones a maturity scan on `on` re-checks. A loan that
 * matured before the term started was already left out of the pool when the tranche started.
 */
export async function applicationsWithLoansMaturedThrough(tx: Tx, on: IsoDate): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ id: facilities.applicationId })
    .from(facilities)
    .innerJoin(applicationLoans, and(eq(applicationLoans.applicationId, facilities.applicationId), eq(applicationLoans.active, 1)))
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(and(inArray(facilities.status, [...LIVE_STATUSES]), lte(loans.maturesOn, on), gte(loans.maturesOn, facilities.startOn)));
  return rows.map((r) => r.id);
}

/** Locks the applications, in id order (one order for every caller, so two checks never wait on each other in a circle). */
export async function lockApplications(tx: Tx, ids: readonly string[]) {
  if (ids.length === 0) return;
  await tx
    .select({ id: applications.id })
    .from(applications)
    .where(inArray(applications.id, [...ids]))
    .orderBy(asc(applications.id))
    .for('update');
}

export type TrancheFigures = {
  facilityId: string;
  institutionId: string;
  applicationId: string;
  status: FacilityRow['status'];
  startOn: IsoDate;
  outstandingFen: bigint;
  open: { id: string; amountFen: bigint } | null;
};

/**
 * The tranches of the applications that are live or have an open shortfall, each with its outstanding
 * principal and its open shortfall: one query, whatever the number of applications. Their pools are a
 * separate query (`poolOutstandingOf`), so a caller that already knows a pool does not sum it twice.
 */
export async function trancheFiguresOf(tx: Tx, applicationIds: readonly string[]): Promise<TrancheFigures[]> {
  if (applicationIds.length === 0) return [];
  const rows = await tx
    .select({
      facilityId: facilities.id,
      institutionId: facilities.institutionId,
      applicationId: facilities.applicationId,
      status: facilities.status,
      startOn: facilities.startOn,
      outstandingFen: facilities.outstandingFen,
      openId: poolShortfalls.id,
      openFen: poolShortfalls.amountFen,
    })
    .from(facilities)
    .leftJoin(poolShortfalls, and(eq(poolShortfalls.facilityId, facilities.id), eq(poolShortfalls.status, 'open')))
    .where(
      and(
        inArray(facilities.applicationId, [...applicationIds]),
        or(inArray(facilities.status, [...LIVE_STATUSES]), sql`${poolShortfalls.id} is not null`),
      ),
    )
    .orderBy(asc(facilities.id));
  return rows.map((r) => ({
    facilityId: r.facilityId,
    institutionId: r.institutionId,
    applicationId: r.applicationId,
    status: r.status,
    startOn: r.startOn,
    outstandingFen: r.outstandingFen,
    open: r.openId === null || r.openFen === null ? null : { id: r.openId, amountFen: r.openFen },
  }));
}

export async function insertPoolShortfalls(tx: Tx, rows: (typeof poolShortfalls.$inferInsert)[]) {
  if (rows.length) await tx.insert(poolShortfalls).values(rows);
}

export async function updatePoolShortfall(tx: Tx, id: string, values: Partial<typeof poolShortfalls.$inferInsert>) {
  await tx.update(poolShortfalls).set(values).where(eq(poolShortfalls.id, id));
}

export type PoolShortfallListing = { shortfall: PoolShortfallRow; institutionCode: string };

/** Shortfalls by raised date (a bank's own when `institutionId` is set), keyset-paginated; one row more than `limit`. */
export async function listPoolShortfalls(
  tx: Tx,
  filter: { institutionId: string | null; status?: PoolShortfallRow['status']; limit: number; after?: { raisedOn: string; id: string } },
): Promise<PoolShortfallListing[]> {
  return tx
    .select({ shortfall: poolShortfalls, institutionCode: institutions.code })
    .from(poolShortfalls)
    .innerJoin(institutions, eq(institutions.id, poolShortfalls.institutionId))
    .where(
      and(
        filter.institutionId ? eq(poolShortfalls.institutionId, filter.institutionId) : undefined,
        filter.status ? eq(poolShortfalls.status, filter.status) : undefined,
        filter.after
          ? sql`(${poolShortfalls.raisedOn}, ${poolShortfalls.id}) > (${filter.after.raisedOn}::date, ${filter.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(poolShortfalls.raisedOn), asc(poolShortfalls.id))
    .limit(filter.limit + 1);
}
