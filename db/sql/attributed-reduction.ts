/**
 * SQL mirror of a loan's attributed annual reduction rounded once, half up, to the centitonne:
 * `divRound(num, den, 'half_up')` of `attributedReduction` (domain/loans/rules.ts, domain/money.ts), i.e.
 * project reduction × principal ÷ total investment. A frozen loan set stores it per loan
 * (db/repositories/disclosure-loans.ts `freezeLoanSet`); test/api/sql-mirrors-attributed-reduction.test.ts
 * runs it and the domain functions on the same random inputs.
 */
import { sql, type SQL } from 'drizzle-orm';

/** The loan and its project as SQL expressions (bigint columns). */
export type AttributedReductionSql = { principalFen: SQL; annualReductionCentitonnes: SQL; totalInvestmentFen: SQL };

/** ⌊(2 · reduction · principal + investment) ÷ (2 · investment)⌋: the half-up rounding of the exact fraction (all positive). */
export const attributedCentitonnesHalfUpSql = (f: AttributedReductionSql): SQL =>
  sql`div(2 * ${f.annualReductionCentitonnes}::numeric * ${f.principalFen} + ${f.totalInvestmentFen}, 2 * ${f.totalInvestmentFen})::bigint`;
