/**
 * SQL mirror of a loan's attributed reduction (db/sql/attributed-reduction.ts, stored per loan in a
 * version's frozen loan set) run against the domain functions on the same random inputs, on a real
 * database: project reduction × principal ÷ total investment (`attributedReduction`), rounded once half
 * up to the centitonne (`divRound`).
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributedCentitonnesHalfUpSql } from '../../db/sql/attributed-reduction.js';
import { attributedReduction } from '../../domain/loans/rules.js';
import { divRound } from '../../domain/money.js';
import { createTestDatabase } from '../support/harness.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** A loan on its project: principal up to the total investment (a project is never overfunded). */
const loanOnProject = fc
  .record({
    totalInvestmentFen: fc.bigInt({ min: 1n, max: 10n ** 15n }),
    annualReductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    share: fc.bigInt({ min: 1n, max: 1_000_000n }),
  })
  .map(({ totalInvestmentFen, annualReductionCentitonnes, share }) => ({
    totalInvestmentFen,
    annualReductionCentitonnes,
    principalFen: (totalInvestmentFen * share + 999_999n) / 1_000_000n,
  }));

/** Exact halves: reduction × principal an odd multiple of half the investment. */
const onAHalf = fc
  .bigInt({ min: 1n, max: 10n ** 6n })
  .map((k) => ({ totalInvestmentFen: 2n, annualReductionCentitonnes: 2n * k + 1n, principalFen: 1n }));

describe('SQL mirror of the attributed reduction', () => {
  it('when any loans on any projects are rounded in SQL, then each equals the domain fraction rounded once half up', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(loanOnProject, onAHalf), { minLength: 1, maxLength: 40 }), async (loans) => {
        const values = sql.join(
          loans.map(
            (l, i) => sql`(${i}::int, ${l.principalFen}::bigint, ${l.annualReductionCentitonnes}::bigint, ${l.totalInvestmentFen}::bigint)`,
          ),
          sql`, `,
        );
        const fragment = attributedCentitonnesHalfUpSql({
          principalFen: sql`t.principal_fen`,
          annualReductionCentitonnes: sql`t.reduction`,
          totalInvestmentFen: sql`t.investment`,
        });
        const rows = rowsOf<{ i: number; v: string }>(
          await database.db.execute(
            sql`select t.i, (${fragment})::text as v from (values ${values}) as t(i, principal_fen, reduction, investment) order by t.i`,
          ),
        );
        const expected = loans.map((l) => {
          const f = attributedReduction({ principalFen: l.principalFen, project: l });
          return divRound(f.num, f.den, 'half_up').toString();
        });
        expect(rows.map((r) => r.v)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
