/**
 * SQL mirror of `statusOn` (domain/refinancing/facility.ts): a tranche's status on `on`, from its dates: a
 * live tranche with principal outstanding is active before its maturity date, matured on it and overdue
 * after it; any other tranche keeps its status. Every read of tranches derives their status with it
 * (db/repositories/refinancing/tranches.ts `listFacilities`), so a back-dated tranche reads overdue before any
 * maturity scan; the scan stores it too (`markMaturities`) and books what follows.
 * test/api/sql-mirrors-refinancing.test.ts checks it against the domain function.
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
    else 'active' end)`;
}
