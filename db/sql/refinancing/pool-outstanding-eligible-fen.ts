/**
 * SQL mirrors of `countsInPoolOn` and `poolOutstandingEligibleFen` (domain/refinancing/pool.ts): a loan
 * counts in its tranche's pool on `on` while its application row is active, it is eligible for support
 * (`isEligibleForSupport`) and its maturity date is after `on`; the pool is Σ of those loans' outstanding
 * principal on `on` (`outstandingOnFenSql`). The pool figure is an aggregate: the repository groups the
 * application's loans (db/repositories/pool-shortfalls.ts); test/api/sql-mirrors-pool.test.ts checks both
 * against the domain functions on random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';
import { outstandingOnFenSql, type OutstandingOnSql } from './outstanding-on-fen.js';
import { SUPPORTABLE_ELIGIBILITIES } from './qualifies-for-support.js';

/** The loan's columns (or values) as SQL: `maturesOn` a date, `eligibility` a text, `active` an integer (1 = listed). */
export type PoolLoanSql = OutstandingOnSql & { maturesOn: SQL; eligibility: SQL; active: SQL };

export function countsInPoolOnSql(loan: Pick<PoolLoanSql, 'maturesOn' | 'eligibility' | 'active'>, on: SQL): SQL {
  const supportable = sql.raw(SUPPORTABLE_ELIGIBILITIES.map((e) => `'${e}'`).join(','));
  return sql`(${loan.active} = 1 and ${loan.eligibility} in (${supportable}) and ${loan.maturesOn} > ${on})`;
}

/** Σ over the grouped loans that count in the pool on `on` of their outstanding principal on `on` (0 for none). */
export function poolOutstandingEligibleFenSql(loan: PoolLoanSql, on: SQL): SQL {
  return sql`coalesce(sum(${outstandingOnFenSql(loan, on)}) filter (where ${countsInPoolOnSql(loan, on)}), 0)::bigint`;
}
