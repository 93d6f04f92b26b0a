/**
 * SQL mirror of `outstandingOnFen` (domain/refinancing/pool.ts): a loan's principal less its repayments
 * dated on or before `on`. `repayments` is a subquery of the loan's repayments with the columns
 * `repaid_on` (date) and `amount_fen` (bigint) — the repository passes the loan repayments table filtered
 * by the outer loan's id (one index lookup per loan, so it stays set-based over many loans).
 * db/repositories/refinancing/application-loans.ts (applications) and db/repositories/pool-shortfalls.ts (pools) use it;
 * test/api/sql-mirrors-pool.test.ts checks it against the domain function on random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';

/** The loan as SQL: `principalFen` an expression, `repayments` a subquery (repaid_on date, amount_fen bigint). */
export type OutstandingOnSql = { principalFen: SQL; repayments: SQL };

export function outstandingOnFenSql(loan: OutstandingOnSql, on: SQL): SQL {
  return sql`(${loan.principalFen} - coalesce((select sum(rep.amount_fen) from ${loan.repayments} as rep where rep.repaid_on <= ${on}), 0))::bigint`;
}
