/**
 * Refinancing rows: quarterly operations, applications with their loans and pledged collateral, support
 * tranches, margin calls. Find / list / insert / update / lock, and the set-based statements of the daily
 * runs (accrual, maturity scan). Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, asc, desc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { IsoDate } from '../../domain/dates.js';
import type { PolicyVersion } from '../../domain/policy/index.js';
import type { RoundingMode } from '../../domain/money.js';
import { bulkInsert } from '../bulk.js';
import type { Tx } from '../client.js';
import {
  applicationLoans,
  applications,
  collateral,
  collateralValuations,
  facilities,
  institutions,
  loanRepayments,
  loans,
  marginCalls,
  operations,
  users,
} from '../schema/index.js';
import { isUuid } from '../../schemas/refinancing.js';
import { accruedThroughFenSql } from '../sql/refinancing/accrued-through-fen.js';
import { outstandingOnFenSql } from '../sql/refinancing/outstanding-on-fen.js';
import { qualifiesForSupportSql } from '../sql/refinancing/qualifies-for-support.js';
import { LIVE_STATUSES, statusOnSql } from '../sql/refinancing/status-on.js';

export type OperationRow = typeof operations.$inferSelect;
export type ApplicationRow = typeof applications.$inferSelect;
export type FacilityRow = typeof facilities.$inferSelect;
export type CollateralRow = typeof collateral.$inferSelect;
export type MarginCallRow = typeof marginCalls.$inferSelect;
export type LoanRow = typeof loans.$inferSelect;

/** Rows of one institution only, or of every institution (null: an operator, or the service itself). */
export type Visible = { institutionId: string | null };

const visibleTo = (
  column: typeof applications.institutionId | typeof facilities.institutionId | typeof collateral.institutionId,
  v: Visible,
) => (v.institutionId ? eq(column, v.institutionId) : undefined);

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

export async function institutionById(tx: Tx, id: string) {
  const [row] = await tx.select().from(institutions).where(eq(institutions.id, id));
  return row ?? null;
}

export async function institutionCodeOf(tx: Tx, id: string): Promise<string> {
  const [row] = await tx.select({ code: institutions.code }).from(institutions).where(eq(institutions.id, id));
  return row.code;
}

// ---------------------------------------------------------------- operations

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

// ---------------------------------------------------------------- applications

/** One application at a time per bank, so the same loan cannot be listed twice concurrently. */
export async function lockApplicationsOfBank(tx: Tx, institutionId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'applications:' + institutionId}))`);
}

/**
 * A loan with the status of the application that lists it on an active row, if any, and its outstanding
 * principal on the application date (principal less the repayments dated on or before it).
 */
export type LoanWithLive = { loan: LoanRow; liveStatus: ApplicationRow['status'] | null; outstandingOnFen: bigint };

/** The repayments of the loan whose id is `loanId`, as `outstandingOnFenSql` reads them. */
export const repaymentsOfLoanSql = (loanId: SQL) =>
  sql`(select ${loanRepayments.repaidOn} as repaid_on, ${loanRepayments.amountFen} as amount_fen from ${loanRepayments} where ${loanRepayments.loanId} = ${loanId})`;

const loanOutstandingOnSql = (on: IsoDate) =>
  outstandingOnFenSql({ principalFen: sql`${loans.principalFen}`, repayments: repaymentsOfLoanSql(sql`${loans.id}`) }, sql`${on}::date`);

async function loansWithLiveStatus(tx: Tx, where: SQL, on: IsoDate): Promise<LoanWithLive[]> {
  // per loan through the one-live-row index (application_loans_live_loan), not a join over every live row
  // (spelled out: drizzle writes a select field's columns without their table)
  const liveStatus = sql<ApplicationRow['status'] | null>`(select a.status from application_loans al
    join applications a on a.id = al.application_id where al.loan_id = "loans"."id" and al.active = 1)`;
  const rows = await tx
    .select({ loan: loans, liveStatus, outstandingOnFen: sql<string>`${loanOutstandingOnSql(on)}::text` })
    .from(loans)
    .where(where);
  return rows.map((r) => ({ loan: r.loan, liveStatus: r.liveStatus ?? null, outstandingOnFen: BigInt(r.outstandingOnFen) }));
}

/** The bank's loans by id or by reference (those that exist), with their outstanding principal on `on`. */
export function loansOfBank(
  tx: Tx,
  institutionId: string,
  by: { ids: string[] } | { refs: string[] },
  on: IsoDate,
): Promise<LoanWithLive[]> {
  return loansWithLiveStatus(
    tx,
    and(
      eq(loans.institutionId, institutionId),
      'ids' in by ? inArray(loans.id, by.ids) : sql`${loans.loanRef} = any(${sql.param(by.refs)}::text[])`,
    )!,
    on,
  );
}

/** The bank's loans disbursed through `disbursedThrough` that qualify for support on `appliedOn` (before the live-application check). */
export function qualifyingLoans(
  tx: Tx,
  institutionId: string,
  disbursedThrough: IsoDate,
  appliedOn: IsoDate,
  policy: Pick<PolicyVersion, 'loansDisbursedFrom'>,
): Promise<LoanWithLive[]> {
  return loansWithLiveStatus(
    tx,
    and(
      eq(loans.institutionId, institutionId),
      lte(loans.disbursedOn, disbursedThrough),
      qualifiesForSupportSql(
        {
          disbursedOn: sql`${loans.disbursedOn}`,
          maturesOn: sql`${loans.maturesOn}`,
          eligibility: sql`${loans.eligibility}`,
          outstandingFen: loanOutstandingOnSql(appliedOn),
        },
        sql`${appliedOn}::date`,
        policy,
      ),
    )!,
    appliedOn,
  );
}

export async function insertApplication(tx: Tx, values: typeof applications.$inferInsert): Promise<ApplicationRow> {
  const [row] = await tx.insert(applications).values(values).returning();
  return row;
}

/** An application's loans in one bulk statement (COPY or unnest: an application may list thousands). */
export async function insertApplicationLoans(tx: Tx, rows: (typeof applicationLoans.$inferInsert)[]) {
  await bulkInsert(
    tx,
    'application_loans',
    [
      { name: 'application_id', type: 'uuid' },
      { name: 'loan_id', type: 'uuid' },
      { name: 'principal_fen', type: 'int8' },
      { name: 'requested_support_fen', type: 'int8' },
      { name: 'active', type: 'int4' },
      { name: 'position', type: 'int4' },
      { name: 'loan_principal_fen', type: 'int8' },
      { name: 'loan_matures_on', type: 'date' },
      { name: 'loan_eligibility', type: 'text' },
    ],
    rows.map((r) => [
      r.applicationId,
      r.loanId,
      r.principalFen,
      r.requestedSupportFen,
      r.active ?? 1,
      r.position ?? null,
      r.loanPrincipalFen,
      r.loanMaturesOn,
      r.loanEligibility,
    ]),
  );
}

export type NewCollateral = { type: string; ref: string; faceFen: bigint; marketFen: bigint };

/** Pledges instruments to an application, each with its first valuation. */
export async function insertCollateral(
  tx: Tx,
  application: Pick<ApplicationRow, 'id' | 'institutionId'>,
  items: readonly NewCollateral[],
  on: IsoDate,
  userId: string,
): Promise<CollateralRow[]> {
  if (!items.length) return [];
  const rows = await tx
    .insert(collateral)
    .values(
      items.map((c) => ({
        institutionId: application.institutionId,
        applicationId: application.id,
        instrumentType: c.type,
        instrumentRef: c.ref,
        faceFen: c.faceFen,
        marketFen: c.marketFen,
        valuedOn: on,
      })),
    )
    .returning();
  await tx
    .insert(collateralValuations)
    .values(rows.map((r) => ({ collateralId: r.id, valuedOn: on, marketFen: r.marketFen, valuedBy: userId })));
  return rows;
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

export async function applicationLoansOf(tx: Tx, applicationId: string) {
  return tx
    .select({
      loanId: applicationLoans.loanId,
      loanRef: loans.loanRef,
      disbursedOn: loans.disbursedOn,
      principalFen: applicationLoans.principalFen,
      requestedSupportFen: applicationLoans.requestedSupportFen,
      outstandingFen: loans.outstandingFen,
      eligibility: loans.eligibility,
      active: applicationLoans.active,
    })
    .from(applicationLoans)
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(eq(applicationLoans.applicationId, applicationId))
    .orderBy(asc(loans.disbursedOn), asc(loans.loanRef));
}

/**
 * The application's live loans in the order it listed them (`position`; rows written before positions
 * were kept fall back to the order they were shown in: disbursement date, then reference), each with
 * its requested support.
 */
export async function listedLoansOf(
  tx: Tx,
  applicationId: string,
): Promise<{ loanId: string; loanRef: string; disbursedOn: IsoDate; requestedSupportFen: bigint }[]> {
  return tx
    .select({
      loanId: applicationLoans.loanId,
      loanRef: loans.loanRef,
      disbursedOn: loans.disbursedOn,
      requestedSupportFen: applicationLoans.requestedSupportFen,
    })
    .from(applicationLoans)
    .innerJoin(loans, eq(loans.id, applicationLoans.loanId))
    .where(and(eq(applicationLoans.applicationId, applicationId), eq(applicationLoans.active, 1)))
    .orderBy(sql`${applicationLoans.position} asc nulls last`, asc(loans.disbursedOn), asc(loans.loanRef));
}

/** Takes loans off the application (a partial approval left them out): they are free for a later one. */
export async function leaveOutLoans(tx: Tx, applicationId: string, loanIds: readonly string[]) {
  if (!loanIds.length) return;
  await tx
    .update(applicationLoans)
    .set({ active: 0 })
    .where(and(eq(applicationLoans.applicationId, applicationId), inArray(applicationLoans.loanId, [...loanIds])));
}

export async function collateralOf(tx: Tx, applicationId: string): Promise<CollateralRow[]> {
  return tx.select().from(collateral).where(eq(collateral.applicationId, applicationId)).orderBy(asc(collateral.instrumentRef));
}

export async function facilityIdsOf(tx: Tx, applicationId: string): Promise<string[]> {
  const rows = await tx.select({ id: facilities.id }).from(facilities).where(eq(facilities.applicationId, applicationId));
  return rows.map((r) => r.id);
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

// ---------------------------------------------------------------- facilities

export async function insertFacility(tx: Tx, values: typeof facilities.$inferInsert): Promise<FacilityRow> {
  const [row] = await tx.insert(facilities).values(values).returning();
  return row;
}

export async function updateFacility(tx: Tx, id: string, values: Partial<typeof facilities.$inferInsert>): Promise<FacilityRow> {
  const [row] = await tx.update(facilities).set(values).where(eq(facilities.id, id)).returning();
  return row;
}

export async function findFacility(tx: Tx, id: string, visible: Visible, options: { lock?: boolean } = {}): Promise<FacilityRow | null> {
  if (!isUuid(id)) return null;
  const q = tx
    .select()
    .from(facilities)
    .where(and(eq(facilities.id, id), visibleTo(facilities.institutionId, visible)));
  const [row] = options.lock ? await q.for('update') : await q;
  return row ?? null;
}

/** Live tranches (active, matured, overdue) of a bank or of an application, by maturity. */
export async function liveFacilities(tx: Tx, of: { institutionId: string } | { applicationId: string }): Promise<FacilityRow[]> {
  return tx
    .select()
    .from(facilities)
    .where(
      and(
        'institutionId' in of ? eq(facilities.institutionId, of.institutionId) : eq(facilities.applicationId, of.applicationId),
        inArray(facilities.status, [...LIVE_STATUSES]),
      ),
    )
    .orderBy(asc(facilities.maturesOn), asc(facilities.id));
}

/** The applications that have a live tranche. */
export async function applicationsWithLiveFacilities(tx: Tx): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ id: facilities.applicationId })
    .from(facilities)
    .where(inArray(facilities.status, [...LIVE_STATUSES]));
  return rows.map((r) => r.id);
}

export type FacilityListing = { facility: FacilityRow; institutionCode: string };

/**
 * Tranches by maturity, each with its status on `on` derived from its dates (`statusOnSql`), which the
 * `status` filter reads too: a tranche past its maturity reads overdue whether or not a scan has run.
 */
export async function listFacilities(
  tx: Tx,
  filter: {
    institutionId: string | null;
    on: IsoDate;
    status?: FacilityRow['status'] | readonly FacilityRow['status'][];
    maturesOnOrBefore?: IsoDate;
    applicationId?: string;
    ids?: string[];
    after?: { maturesOn: string; id: string };
    limit: number;
  },
): Promise<FacilityListing[]> {
  if (filter.ids && filter.ids.length === 0) return [];
  const statusOn = statusOnSql(
    { status: sql`${facilities.status}`, maturesOn: sql`${facilities.maturesOn}`, outstandingFen: sql`${facilities.outstandingFen}` },
    sql`${filter.on}::date`,
  );
  const rows = await tx
    .select({ facility: facilities, institutionCode: institutions.code, statusOn: sql<FacilityRow['status']>`${statusOn}` })
    .from(facilities)
    .innerJoin(institutions, eq(institutions.id, facilities.institutionId))
    .where(
      and(
        visibleTo(facilities.institutionId, filter),
        filter.status
          ? sql`${statusOn} in (${sql.join(
              [filter.status].flat().map((st) => sql`${st}`),
              sql`, `,
            )})`
          : undefined,
        filter.maturesOnOrBefore ? lte(facilities.maturesOn, filter.maturesOnOrBefore) : undefined,
        filter.applicationId ? eq(facilities.applicationId, filter.applicationId) : undefined,
        filter.ids ? inArray(facilities.id, filter.ids) : undefined,
        filter.after
          ? sql`(${facilities.maturesOn}, ${facilities.id}) > (${filter.after.maturesOn}::date, ${filter.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(facilities.maturesOn), asc(facilities.id))
    .limit(filter.limit + 1);
  return rows.map((r) => ({ facility: { ...r.facility, status: r.statusOn }, institutionCode: r.institutionCode }));
}

/** The listings of the given tranches, in the order of `ids`, with their status on `on`. */
export async function facilityListings(tx: Tx, ids: string[], on: IsoDate): Promise<FacilityListing[]> {
  const rows = await listFacilities(tx, { institutionId: null, on, ids, limit: ids.length });
  const byId = new Map(rows.map((r) => [r.facility.id, r]));
  return ids.map((id) => byId.get(id)!);
}

/**
 * Books interest on live tranches through `through` (a tranche already accrued through that date is
 * skipped): one set-based UPDATE computes each tranche's segment interest with the SQL mirror of the
 * domain rule and keeps the booked delta in `last_accrual_fen`. Returns the day's sum per bank.
 */
export async function accrueFacilities(tx: Tx, input: { through: IsoDate; facilityIds?: string[]; rounding: RoundingMode }) {
  const only = input.facilityIds
    ? sql`and f.id in (${sql.join(
        input.facilityIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql``;
  const segment = accruedThroughFenSql(
    { principalFen: sql`f.outstanding_fen`, ratePpm: sql`f.rate_ppm`, dayCount: sql`f.day_count`, fromOn: sql`f.interest_from_on` },
    sql`${input.through}::date`,
    input.rounding,
  );
  const live = sql.raw(LIVE_STATUSES.map((s) => `'${s}'`).join(','));
  const result = await tx.execute(sql`
    with booked as (
      update facilities f set
        last_accrual_fen = ${segment} - f.segment_accrued_fen,
        interest_accrued_fen = f.interest_accrued_fen + (${segment} - f.segment_accrued_fen),
        segment_accrued_fen = ${segment},
        accrued_through = ${input.through}::date
      where f.status in (${live}) and f.outstanding_fen > 0 and f.accrued_through < ${input.through}::date ${only}
      returning f.institution_id, f.last_accrual_fen
    )
    select b.institution_id, i.code, sum(b.last_accrual_fen)::text as amount_fen, count(*)::int as tranches
    from booked b join institutions i on i.id = b.institution_id
    group by b.institution_id, i.code order by i.code`);
  return rowsOf<{ institution_id: string; code: string; amount_fen: string; tranches: number }>(result).map((r) => ({
    institutionId: r.institution_id,
    code: r.code,
    amountFen: BigInt(r.amount_fen),
    tranches: r.tranches,
  }));
}

/** Stores the status the maturity rule gives live tranches on `on` (forward only; reads derive it anyway). Returns the changed ones. */
export async function markMaturities(tx: Tx, on: IsoDate): Promise<{ id: string; status: FacilityRow['status'] }[]> {
  const next = statusOnSql(
    { status: sql`${facilities.status}`, maturesOn: sql`${facilities.maturesOn}`, outstandingFen: sql`${facilities.outstandingFen}` },
    sql`${on}::date`,
  );
  return tx
    .update(facilities)
    .set({ status: sql`${next}` })
    .where(
      and(
        inArray(facilities.status, ['active', 'matured']),
        sql`${facilities.outstandingFen} > 0`,
        lte(facilities.maturesOn, on),
        sql`${next} <> ${facilities.status}`,
      ),
    )
    .returning({ id: facilities.id, status: facilities.status });
}

// ---------------------------------------------------------------- collateral and margin calls

export async function findCollateral(tx: Tx, id: string, visible: Visible): Promise<CollateralRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await tx
    .select()
    .from(collateral)
    .where(and(eq(collateral.id, id), visibleTo(collateral.institutionId, visible)));
  return row ?? null;
}

/** Records a new market value of an instrument and its valuation. */
export async function revalue(tx: Tx, input: { id: string; marketFen: bigint; on: IsoDate; userId: string }): Promise<CollateralRow> {
  const [row] = await tx
    .update(collateral)
    .set({ marketFen: input.marketFen, valuedOn: input.on })
    .where(eq(collateral.id, input.id))
    .returning();
  await tx
    .insert(collateralValuations)
    .values({ collateralId: input.id, valuedOn: input.on, marketFen: input.marketFen, valuedBy: input.userId });
  return row;
}

export async function findOpenMarginCall(tx: Tx, applicationId: string): Promise<MarginCallRow | null> {
  const [row] = await tx
    .select()
    .from(marginCalls)
    .where(and(eq(marginCalls.applicationId, applicationId), eq(marginCalls.status, 'open')));
  return row ?? null;
}

export async function insertMarginCall(tx: Tx, values: typeof marginCalls.$inferInsert) {
  await tx.insert(marginCalls).values(values);
}

export async function updateMarginCall(tx: Tx, id: string, values: Partial<typeof marginCalls.$inferInsert>) {
  await tx.update(marginCalls).set(values).where(eq(marginCalls.id, id));
}

export async function listMarginCalls(
  tx: Tx,
  filter: { institutionId: string | null; status?: MarginCallRow['status']; limit: number; after?: { raisedOn: string; id: string } },
) {
  return tx
    .select({ call: marginCalls, institutionCode: institutions.code })
    .from(marginCalls)
    .innerJoin(institutions, eq(institutions.id, marginCalls.institutionId))
    .where(
      and(
        filter.institutionId ? eq(marginCalls.institutionId, filter.institutionId) : undefined,
        filter.status ? eq(marginCalls.status, filter.status) : undefined,
        filter.after
          ? sql`(${marginCalls.raisedOn}, ${marginCalls.id}) > (${filter.after.raisedOn}::date, ${filter.after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(marginCalls.raisedOn), asc(marginCalls.id))
    .limit(filter.limit + 1);
}
