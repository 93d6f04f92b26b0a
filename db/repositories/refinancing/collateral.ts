/**
 * Pledged collateral with its valuations, and margin calls. Plain rows in and out: the rules and the refusals live in
 * app/refinancing/, the clock is an argument, a missing row is null.
 *
 * Row locks are always taken in one order, so two commands never wait on each other in a circle
 * (PostgreSQL would abort one with a deadlock, a 500): operation → application → collateral, and
 * facility → application → journal chain head. The use cases keep that order.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { IsoDate } from '../../../domain/dates.js';
import type { Tx } from '../../client.js';
import { collateral, collateralValuations, institutions, marginCalls } from '../../schema/index.js';
import { isUuid } from '../../../schemas/common.js';
import type { ApplicationRow } from './applications.js';
import { visibleTo, type Visible } from './visible.js';

export type CollateralRow = typeof collateral.$inferSelect;

export type MarginCallRow = typeof marginCalls.$inferSelect;

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

export async function collateralOf(tx: Tx, applicationId: string): Promise<CollateralRow[]> {
  return tx.select().from(collateral).where(eq(collateral.applicationId, applicationId)).orderBy(asc(collateral.instrumentRef));
}

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
