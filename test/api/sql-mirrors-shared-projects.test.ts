/**
 * The SQL mirror of the shared-project rule (db/sql/shared-projects.ts, which the national totals use)
 * against the domain rule (domain/disclosures/shared-projects.ts) on the same random inputs, on a real
 * database: the same folded names, the same groups, the same figures counted once.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { foldedName, sharedProjectGroups } from '../../db/sql/shared-projects.js';
import { findSharedProjects, foldName, sharedProjectKey, type SharedProjectLoan } from '../../domain/disclosures/shared-projects.js';
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

/** Pieces of names that fold into each other: full-width and ASCII forms, capitals, every kind of whitespace. */
const PIECES = [
  '风电',
  '项目',
  '光伏',
  'A',
  'Ａ',
  'a',
  'ｂ',
  'B',
  '1',
  '１',
  '(',
  '（',
  ')',
  '）',
  ' ',
  '\u3000',
  '\t',
  '\u00a0',
  '\u2003',
  '·',
  'É',
  'é',
];
const nameArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 6 }).map((p) => p.join(''));

const loanArb: fc.Arbitrary<SharedProjectLoan> = fc.record({
  institutionCode: fc.constantFrom('BANK-A', 'BANK-B', 'BANK-C'),
  creditCode: fc.constantFrom('91110108MA00000010', '91110108MA0000002Y'),
  projectName: fc.constantFrom(
    '风电项目',
    ' 风电项目',
    '风电　项目',
    '风电项目A',
    '风电项目ａ',
    '光伏（一期）',
    '光伏(一期)',
    '光伏 (一期)',
  ),
  province: fc.constantFrom('内蒙古自治区', '内蒙古自治区 ', '河北省'),
  /** an entry of the register (an operator may have linked differently spelt loans into one), or none */
  registerId: fc.constantFrom<string | null>(null, null, 'e1', 'e2'),
  projectId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  principalFen: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  attributedCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 9n }),
  projectReductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 9n }),
});

const valuesOf = (loans: readonly SharedProjectLoan[]) =>
  sql`select * from (values ${sql.join(
    loans.map(
      (l) =>
        sql`('s', ${l.institutionCode}::text, ${l.creditCode}::text, ${l.projectName}::text, ${l.province}::text, ${l.projectId}::text,
          ${String(l.principalFen)}::bigint, ${String(l.attributedCentitonnes)}::bigint, ${String(l.projectReductionCentitonnes)}::bigint,
          ${l.registerId ?? null}::text)`,
    ),
    sql`, `,
  )}) as v(scope, institution_id, credit_code, project_name, province, project_id, principal_fen, attributed_centitonnes, project_reduction_centitonnes, register_id)`;

describe('SQL mirror of the shared-project rule', () => {
  it('when names mix full-width forms, capitals and whitespace, then SQL folds them exactly as the domain does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(nameArb, { minLength: 1, maxLength: 20 }), async (names) => {
        const rows = rowsOf<{ folded: string }>(
          await db.execute(
            sql`select ${foldedName(sql`n`)} as folded from (values ${sql.join(
              names.map((n, i) => sql`(${n}::text, ${i}::int)`),
              sql`, `,
            )}) as u(n, i) order by i`,
          ),
        ).map((r) => r.folded);
        expect(rows).toEqual(names.map(foldName));
      }),
      { numRuns: 30 },
    );
  });

  it('when loans of random banks name random projects, some in register entries that join different spellings, then the SQL groups and counts once exactly as the domain rule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(loanArb, { minLength: 1, maxLength: 25 }), async (loans) => {
        const rows = rowsOf<Record<string, string>>(await db.execute(sql`select * from (${sharedProjectGroups(valuesOf(loans))}) g`));
        const fromSql = rows
          .map((r) => ({
            key: sharedProjectKey({
              registerId: r.register_id,
              creditCode: r.credit_code,
              projectName: r.name_key,
              province: r.province_key,
            }),
            banks: Number(r.banks),
            projects: Number(r.projects),
            principal: BigInt(r.principal_fen),
            attributed: BigInt(r.attributed),
            reduction: BigInt(r.reduction),
            countedOnce: BigInt(r.counted_once),
            notCounted: BigInt(r.not_counted),
          }))
          .sort((a, b) => (a.key < b.key ? -1 : 1));
        const fromDomain = findSharedProjects(loans).map((p) => ({
          key: p.key,
          banks: p.banks.length,
          projects: p.projects,
          principal: p.principalFen,
          attributed: p.attributedCentitonnes,
          reduction: p.projectReductionCentitonnes,
          countedOnce: p.countedOnceCentitonnes,
          notCounted: p.notCountedCentitonnes,
        }));
        expect(fromSql).toEqual(fromDomain);
      }),
      { numRuns: 60 },
    );
  });
});
