/**
 * SQL mirror of `statusOn` (domain/refinancing/facility.ts): the status a maturity scan gives a tranche on
 * `on`: a live tranche with principal outstanding is matured on its maturity date and overdue after it;
 * any other tranche keeps its status. The maturity scan sets it (db/repositories/refinancing/tranches.ts
 * `markMaturities`); test/api/sql-mirrors-refinancing.test.ts checks it against the domain function.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { FacilityState } from '../../../domain/refinancing/facility.js';

/** The tranche's columns (or values) as SQL expressions: `status` a text, `maturesOn` a date. */
export type StatusOnSql = { [K in 'status' | 'maturesOn' | 'outstandingFen']: SQL };

/** The live statuses (domain `isLive`). */
export const LIVE_STATUSES = ['active', 'matured', 'overdue'] as const satisfies readonly FacilityState['status'][];

export function statusOnSql(f: StatusOnSql, on: SQL): SQL {
  const live = sql.raw(LIVE_STATUSES.map((s) => `'${s}'`).join(','));
  return sql`(case
    when ${f.status} not in (${live}) or ${f.outstandingFen} = 0 then ${f.status}
    when ${on} > ${f.maturesOn} then 'overdue'
    when ${on} = ${f.maturesOn} then 'matured'
    else ${f.status} end)`;
}
