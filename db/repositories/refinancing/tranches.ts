/**
 * Support tranches (facilities): find / insert / update, listings, and the set-based statements of the
 * daily runs (accrual, maturity scan). Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { IsoDate } from '../../../domain/dates.js';
import type { RoundingMode } from '../../../domain/money.js';
import type { Tx } from '../../client.js';
import { facilities, institutions } from '../../schema/index.js';
import { isUuid } from '../../../schemas/common.js';
import { accruedThroughFenSql } from '../../sql/refinancing/accrued-through-fen.js';
import { LIVE_STATUSES, statusOnSql } from '../../sql/refinancing/status-on.js';
import { visibleTo, type Visible } from './visible.js';

export type FacilityRow = typeof facilities.$inferSelect;

const rowsOf = <T>(result: unknown): T[] => (result as { rows?: T[] }).rows ?? (result as T[]);

export async function facilityIdsOf(tx: Tx, applicationId: string): Promise<string[]> {
  const rows = await tx.select({ id: facilities.id }).from(facilities).where(eq(facilities.applicationId, applicationId));
  return rows.map((r) => r.id);
}

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
