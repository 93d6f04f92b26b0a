/**
 * The SQL mirrors of a tranche's pool (db/sql/refinancing/outstanding-on-fen.ts,
 * pool-outstanding-eligible-fen.ts) compute what the domain functions of domain/refinancing/pool.ts
 * compute: the same random loans and repayments go to PostgreSQL (or PGlite) as VALUES lists and to the
 * pure functions, and the answers agree.
 */
import fc from 'fast-check';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { outstandingOnFenSql } from '../../db/sql/refinancing/outstanding-on-fen.js';
import { countsInPoolOnSql, poolOutstandingEligibleFenSql } from '../../db/sql/refinancing/pool-outstanding-eligible-fen.js';
import { addDays } from '../../domain/dates.js';
import type { CandidateLoan } from '../../domain/refinancing/application.js';
import {
  countsInPoolOn,
  outstandingOnFen,
  poolOutstandingEligibleFen,
  type LoanRepayment,
  type PoolLoan,
} from '../../domain/refinancing/pool.js';
import { createTestDatabase } from '../support/harness.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

async function rowsOf<T>(query: SQL): Promise<T[]> {
  const result = await database.db.execute(query);
  return (result as unknown as { rows?: T[] }).rows ?? (result as unknown as T[]);
}

const text = (v: string) => sql`${v}::text`;
const date = (v: string) => sql`${v}::date`;
const int8 = (v: bigint) => sql`${v.toString()}::bigint`;

const RUNS = { numRuns: 200 };
const eligibilities: CandidateLoan['eligibility'][] = ['eligible', 'flagged', 'accepted'];

/** Dates within a few weeks of 2023-01-10, so "on the date", "the day before" and "the day after" come up often. */
const nearDate = fc.integer({ min: -20, max: 20 }).map((n) => addDays('2023-01-10', n));
const repayment = fc.record({ repaidOn: nearDate, amountFen: fc.bigInt({ min: 1n, max: 10n ** 9n }) });
/** A loan with up to four repayments that never exceed its principal (the loans table's constraint). */
const poolLoan: fc.Arbitrary<PoolLoan> = fc
  .record({
    repayments: fc.array(repayment, { maxLength: 4 }),
    headroomFen: fc.bigInt({ min: 0n, max: 10n ** 10n }),
    maturesOn: nearDate,
    eligibility: fc.constantFrom(...eligibilities),
    active: fc.boolean(),
  })
  .map(({ repayments, headroomFen, ...rest }) => ({
    ...rest,
    repayments,
    principalFen: repayments.reduce((s, r) => s + r.amountFen, 0n) + headroomFen + 1n,
  }));

/** The repayments as a subquery (repaid_on, amount_fen), the shape `outstandingOnFenSql` reads. */
function repaymentsSql(repayments: readonly LoanRepayment[]): SQL {
  if (repayments.length === 0) return sql`(select null::date as repaid_on, null::bigint as amount_fen where false)`;
  const rows = repayments.map((r) => sql`(${date(r.repaidOn)}, ${int8(r.amountFen)})`);
  return sql`(select * from (values ${sql.join(rows, sql`, `)}) as v(repaid_on, amount_fen))`;
}

describe('SQL mirrors of the pool rules agree with the domain', () => {
  it("a loan's outstanding principal on a date: outstandingOnFenSql = outstandingOnFen", async () => {
    await fc.assert(
      fc.asyncProperty(poolLoan, nearDate, async (loan, on) => {
        const fragment = outstandingOnFenSql(
          { principalFen: int8(loan.principalFen), repayments: repaymentsSql(loan.repayments) },
          date(on),
        );
        const [row] = await rowsOf<{ v: string }>(sql`select ${fragment}::text as v`);
        expect(BigInt(row.v)).toBe(outstandingOnFen(loan, on));
      }),
      RUNS,
    );
  });

  it('a loan counts in the pool on a date: countsInPoolOnSql = countsInPoolOn', async () => {
    await fc.assert(
      fc.asyncProperty(poolLoan, nearDate, async (loan, on) => {
        const fragment = countsInPoolOnSql(
          { maturesOn: date(loan.maturesOn), eligibility: text(loan.eligibility), active: sql.raw(loan.active ? '1' : '0') },
          date(on),
        );
        const [row] = await rowsOf<{ v: boolean }>(sql`select ${fragment} as v`);
        expect(row.v).toBe(countsInPoolOn(loan, on));
      }),
      RUNS,
    );
  });

  it("a tranche's pool on a date, grouped over its loans: poolOutstandingEligibleFenSql = poolOutstandingEligibleFen", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(poolLoan, { maxLength: 6 }), nearDate, async (loans, on) => {
        const loanRows = loans.map(
          (l, i) =>
            sql`(${sql.raw(String(i))}, ${int8(l.principalFen)}, ${date(l.maturesOn)}, ${text(l.eligibility)}, ${sql.raw(l.active ? '1' : '0')})`,
        );
        const repaymentRows = loans.flatMap((l, i) =>
          l.repayments.map((r) => sql`(${sql.raw(String(i))}, ${date(r.repaidOn)}, ${int8(r.amountFen)})`),
        );
        const loanTable = loans.length
          ? sql`(values ${sql.join(loanRows, sql`, `)}) as l(id, principal_fen, matures_on, eligibility, active)`
          : sql`(select 0 as id, 0::bigint as principal_fen, null::date as matures_on, ''::text as eligibility, 0 as active where false) as l`;
        const repayments = repaymentRows.length
          ? sql`(select r.repaid_on, r.amount_fen from (values ${sql.join(repaymentRows, sql`, `)}) as r(loan_id, repaid_on, amount_fen) where r.loan_id = l.id)`
          : repaymentsSql([]);
        const fragment = poolOutstandingEligibleFenSql(
          {
            principalFen: sql`l.principal_fen`,
            repayments,
            maturesOn: sql`l.matures_on`,
            eligibility: sql`l.eligibility`,
            active: sql`l.active`,
          },
          date(on),
        );
        const [row] = await rowsOf<{ v: string }>(sql`select ${fragment}::text as v from ${loanTable}`);
        expect(BigInt(row.v)).toBe(poolOutstandingEligibleFen(loans, on));
      }),
      RUNS,
    );
  });
});
