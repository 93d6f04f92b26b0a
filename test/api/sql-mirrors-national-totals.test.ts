/**
 * The SQL mirror of the national totals (db/sql/national-totals.ts) against the domain rule
 * (domain/disclosures/national-totals.ts) on the same random loans, on a real database: the same
 * projects (shared ones counted once), amounts, weighted rate and reduction, rounded once.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { nationalTotalsSums, nationalTotalsTerms, totalsSumsOfRow } from '../../db/sql/national-totals.js';
import {
  nationalTotalsExact,
  presentExactTotals,
  presentTotals,
  reductionOfTerms,
  type TotalsLoan,
} from '../../domain/disclosures/national-totals.js';
import { createTestDatabase } from '../support/harness.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database?.close();
});

const loanArb = fc.record({
  institutionCode: fc.constantFrom('BANK-A', 'BANK-B', 'BANK-C'),
  creditCode: fc.constantFrom<string | null>('91110108MA00000010', '91110108MA0000002Y', null),
  projectName: fc.constantFrom('风电项目', ' 风电项目', '风电　项目', '光伏（一期）', '光伏(一期)'),
  province: fc.constantFrom('内蒙古自治区', '内蒙古自治区 ', '河北省'),
  project: fc.constantFrom('p1', 'p2', 'p3'),
  /** an entry of the register (an operator may have linked differently spelt loans into one), or none */
  registerId: fc.constantFrom<string | null>(null, null, 'e1', 'e2'),
  principalFen: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  ratePpm: fc.bigInt({ min: 1n, max: 60_000n }),
  attributedCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  projectReductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  // small denominators often give sums on a rounding boundary or just next to it
  projectTotalInvestmentFen: fc.oneof(fc.constantFrom<bigint | null>(null, 3n, 7n, 200n, 300n), fc.bigInt({ min: 1n, max: 10n ** 13n })),
});

const loansArb = fc.array(loanArb, { minLength: 1, maxLength: 25 }).map((ls) =>
  ls.map((l, i): TotalsLoan => ({
    loanId: `l${i}`,
    institutionCode: l.institutionCode,
    creditCode: l.creditCode,
    projectName: l.creditCode === null ? null : l.projectName,
    province: l.creditCode === null ? null : l.province,
    registerId: l.registerId,
    // a bank's project: the same reference names the same project within one bank
    projectId: `${l.institutionCode}\t${l.project}`,
    principalFen: l.principalFen,
    ratePpm: l.ratePpm,
    attributedCentitonnes: l.attributedCentitonnes,
    projectReductionCentitonnes: l.projectReductionCentitonnes,
    projectTotalInvestmentFen: l.projectTotalInvestmentFen,
  })),
);

const nullable = (v: string | bigint | null, type: string) => (v === null ? sql.raw(`null::${type}`) : sql`${String(v)}::${sql.raw(type)}`);
const valuesOf = (loans: readonly TotalsLoan[]) =>
  sql`select * from (values ${sql.join(
    loans.map(
      (l) =>
        sql`('s', ${l.loanId}::text, ${l.institutionCode}::text, ${nullable(l.creditCode, 'text')}, ${nullable(l.projectName, 'text')},
          ${nullable(l.province, 'text')}, ${l.projectId}::text, ${String(l.principalFen)}::bigint, ${String(l.ratePpm)}::bigint,
          ${String(l.attributedCentitonnes)}::bigint, ${nullable(l.projectReductionCentitonnes, 'bigint')}, ${nullable(l.projectTotalInvestmentFen, 'bigint')},
          ${nullable(l.registerId ?? null, 'text')})`,
    ),
    sql`, `,
  )}) as v(scope, loan_id, institution_id, credit_code, project_name, province, project_id, principal_fen, rate_ppm, attributed_centitonnes,
    project_reduction_centitonnes, project_total_investment_fen, register_id)`;

describe('SQL mirror of the national totals', () => {
  it('when random banks lend to random projects, then the SQL sums, rounded once, give the totals of the domain rule', async () => {
    await fc.assert(
      fc.asyncProperty(loansArb, async (loans) => {
        const [r] = rowsOf<Record<string, string>>(await db.execute(nationalTotalsSums(valuesOf(loans))));
        const sums = totalsSumsOfRow(r);
        const rule = nationalTotalsExact(loans, []);
        const expected = presentExactTotals(rule.sums, rule.reduction, rule.notCounted, 'half_up');
        const certified = presentTotals(sums, 'half_up');
        if (certified) expect(certified).toEqual(expected);
        // the exact terms the SQL gives (the fallback) add up to the rule's reduction
        const terms = rowsOf<Record<string, string | null>>(await db.execute(nationalTotalsTerms(valuesOf(loans)))).map((t) => ({
          group: t.grp,
          cap: t.cap === null ? null : BigInt(t.cap),
          num: BigInt(t.num!),
          den: BigInt(t.den!),
        }));
        const exact = reductionOfTerms(terms);
        expect(presentExactTotals(sums, exact.counted, exact.notCounted, 'half_up')).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
