/**
 * The SQL mirror of the figures a loan's reduction is attributed with (db/sql/project-figures.ts, used by the
 * disclosure compile and the frozen loan sets) against the domain rule (domain/projects/register.ts
 * `attributionFigures`) on the same random inputs, on a real database: register entries with and without
 * decided figures, merged entries, loans of several banks each with its own project's figures.
 *
 * The mirror reads the tables `project_register`, `loans` and (through the caller) `projects`; the test
 * creates temporary tables of those names inside a transaction that it rolls back, so the random rows never
 * meet the schema's other constraints and nothing is left behind.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTED_INVESTMENT, ATTRIBUTED_REDUCTION, DECIDED_JOIN, DECIDED_PROJECTS } from '../../db/sql/project-figures.js';
import { attributionFigures, type ProjectFigures } from '../../domain/projects/register.js';
import { createTestDatabase } from '../support/harness.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

const figuresArb: fc.Arbitrary<ProjectFigures> = fc.record({
  totalInvestmentFen: fc.bigInt({ min: 1n, max: 10n ** 13n }),
  annualReductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 9n }),
});

const entryArb = fc.record({
  decided: fc.option(figuresArb, { nil: null }),
  /** an entry linked into another keeps its row but no longer counts */
  merged: fc.boolean(),
});

/** principals near the decided investments, so the loans of an entry exceed it about as often as not */
const loanArb = fc.record({
  entry: fc.nat({ max: 4 }),
  /** null: a loan not yet in the register */
  inRegister: fc.boolean(),
  own: figuresArb,
  principalFen: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 13n }), fc.bigInt({ min: 1n, max: 1000n })),
});

class Rollback extends Error {}

describe('SQL mirror of the attributed figures', () => {
  it('when any loans of any banks lie on register entries with or without decided figures, then SQL attributes each with the figures of the domain rule', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 5, maxLength: 5 }),
        fc.array(loanArb, { minLength: 1, maxLength: 25 }),
        async (entries, loanRows) => {
          // loans point at surviving entries only (a link moves them, db/repositories/project-register.ts)
          const registerOf = (l: (typeof loanRows)[number]) => (l.inRegister && !entries[l.entry]!.merged ? l.entry : null);
          const expected = loanRows.map((l) => {
            const r = registerOf(l);
            const decided = r === null ? null : entries[r]!.decided;
            const fundedFen = loanRows.filter((x) => r !== null && registerOf(x) === r).reduce((s, x) => s + x.principalFen, 0n);
            const f = attributionFigures({ own: l.own, decided, fundedFen });
            return { reduction: f.reductionCentitonnes.toString(), investment: f.denominatorFen.toString() };
          });
          let actual: { reduction: string; investment: string }[] = [];
          try {
            await database.db.transaction(async (tx) => {
              await tx.execute(sql`create temporary table project_register (id int, decided_annual_reduction_centitonnes bigint,
              decided_total_investment_fen bigint, decided_at timestamptz, merged_into int) on commit drop`);
              await tx.execute(
                sql`create temporary table loans (id int, register_id int, principal_fen bigint, project_id int) on commit drop`,
              );
              await tx.execute(
                sql`create temporary table projects (id int, total_investment_fen bigint, annual_reduction_centitonnes bigint) on commit drop`,
              );
              await tx.execute(
                sql`insert into project_register values ${sql.join(
                  entries.map(
                    (e, i) =>
                      sql`(${i}::int, ${e.decided?.annualReductionCentitonnes ?? null}::bigint, ${e.decided?.totalInvestmentFen ?? null}::bigint,
                    ${e.decided ? sql`now()` : sql`null`}, ${e.merged ? (i + 1) % entries.length : null}::int)`,
                  ),
                  sql`, `,
                )}`,
              );
              await tx.execute(
                sql`insert into projects values ${sql.join(
                  loanRows.map(
                    (l, i) => sql`(${i}::int, ${l.own.totalInvestmentFen}::bigint, ${l.own.annualReductionCentitonnes}::bigint)`,
                  ),
                  sql`, `,
                )}`,
              );
              await tx.execute(
                sql`insert into loans values ${sql.join(
                  loanRows.map((l, i) => sql`(${i}::int, ${registerOf(l)}::int, ${l.principalFen}::bigint, ${i}::int)`),
                  sql`, `,
                )}`,
              );
              actual = rowsOf<{ reduction: string; investment: string }>(
                await tx.execute(sql`with ${DECIDED_PROJECTS}
                select (${ATTRIBUTED_REDUCTION})::text as reduction, (${ATTRIBUTED_INVESTMENT})::text as investment
                from loans l join projects pr on pr.id = l.project_id ${DECIDED_JOIN} order by l.id`),
              );
              throw new Rollback();
            });
          } catch (e) {
            if (!(e instanceof Rollback)) throw e;
          }
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
