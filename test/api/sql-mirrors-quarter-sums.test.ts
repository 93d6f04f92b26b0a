/**
 * SQL copy of the quarter's per-bank sums (db/sql/quarter-sums.ts, read by db/repositories/disclosures.ts
 * `quarterSums`) run against the domain rule (domain/disclosures/quarter-sums.ts `quarterSumsOf`) on the
 * same random loans, on a real database: a few projects in a few sub-areas, loans disbursed on either side
 * of a year's and a quarter's boundaries, some covered by approved support and some not, some naming a
 * register entry whose figures an operator may have decided.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Tx } from '../../db/client.js';
import { bankQuartersSumsAndSets, quarterSums, quarterSumsAndSets } from '../../db/repositories/disclosures.js';
import { REDUCTION_METHODS } from '../../domain/disclosures/figures.js';
import { quarterSumsOf, type CoveredLoanFigures } from '../../domain/disclosures/quarter-sums.js';
import { attributionFigures } from '../../domain/projects/register.js';
import { createTestDatabase } from '../support/harness.js';

const QUARTER = '2023Q1';
const DATES = ['2022-05-10', '2022-11-30', '2022-12-31', '2023-01-01', '2023-02-15', '2023-03-31', '2023-04-01'];
const SUB_AREAS = ['CE.WIND', 'CE.SOLAR', 'CE.STORAGE'];

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let bankId: string;
let userId: string;
let operationId: string;

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
const idOf = async (tx: Tx | Db, query: ReturnType<typeof sql>) => rowsOf<{ id: string }>(await tx.execute(query))[0].id;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  bankId = await idOf(
    db,
    sql`insert into institutions (code, name_zh, name_en, kind, eligible_from) values ('SUMS', '合计银行', 'Sums Bank', 'bank', '2021-11-08') returning id`,
  );
  userId = await idOf(
    db,
    sql`insert into users (institution_id, name, role, api_key_sha256) values (${bankId}, 'sums', 'bank', md5('sums')) returning id`,
  );
  operationId = await idOf(
    db,
    sql`insert into operations (quarter, opens_on, closes_on, volume_fen, created_by) values ('2023Q2', '2023-04-01', '2023-06-30', 1000000000000, ${userId}) returning id`,
  );
});
afterAll(async () => {
  await database?.close();
});

const projectArb = fc.record({
  subArea: fc.constantFrom(...SUB_AREAS),
  basis: fc.constantFrom(...REDUCTION_METHODS),
  // never overfunded: the loans together stay well under the investment
  investmentFen: fc.bigInt({ min: 10n ** 12n, max: 10n ** 14n }),
  reductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 10n }),
});

/** Random projects, register entry and loans (between `minLoans` and `maxLoans`). */
const inputsOf = (minLoans: number, maxLoans: number) =>
  fc
    .record({
      projects: fc.array(projectArb, { minLength: 1, maxLength: 5 }),
      // the register entry some loans name: decided figures (investment possibly below what its loans fund) or none
      decided: fc.option(
        fc.record({
          investmentFen: fc.bigInt({ min: 1n, max: 10n ** 11n }),
          reductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 10n }),
        }),
        { nil: null },
      ),
    })
    .chain(({ projects, decided }) =>
      fc.record({
        projects: fc.constant(projects),
        decided: fc.constant(decided),
        loans: fc.array(
          fc.record({
            project: fc.nat({ max: projects.length - 1 }),
            disbursedOn: fc.constantFrom(...DATES),
            principalFen: fc.bigInt({ min: 1n, max: 10n ** 10n }),
            ratePpm: fc.bigInt({ min: 10_000n, max: 60_000n }),
            covered: fc.boolean(),
            namesRegister: fc.boolean(),
          }),
          { minLength: minLoans, maxLength: maxLoans },
        ),
      }),
    );

const inputArb = inputsOf(0, 12);
// enough loans that a correction of a few is stored as a delta of its base
const manyLoansArb = inputsOf(16, 40);

type Input = typeof inputArb extends fc.Arbitrary<infer T> ? T : never;

/** Writes the projects, the register entry, the loans and an approved application over the covered ones, runs `check`, rolls back. */
async function withLoans(input: Input, check: (tx: Tx) => Promise<void>) {
  const rollback = new Error('rollback');
  await db
    .transaction(async (tx) => {
      const projectIds: string[] = [];
      for (const [i, p] of input.projects.entries()) {
        projectIds.push(
          await idOf(
            tx,
            sql`insert into projects (institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes, reduction_basis, evidence_title, evidence_sha256)
              values (${bankId}, ${`P${i}`}, ${`项目${i}`}, '内蒙古自治区', ${p.subArea}, ${p.investmentFen}, ${p.reductionCentitonnes}, ${p.basis}, '可研', md5('p') || md5('p')) returning id`,
          ),
        );
      }
      const registerId = await idOf(
        tx,
        input.decided
          ? sql`insert into project_register (credit_code, name, province, decided_total_investment_fen, decided_annual_reduction_centitonnes, decided_by, decided_at, decision_reason)
              values ('91110108MA0000000X', '登记项目', '内蒙古自治区', ${input.decided.investmentFen}, ${input.decided.reductionCentitonnes}, ${userId}, now(), '核定') returning id`
          : sql`insert into project_register (credit_code, name, province) values ('91110108MA0000000X', '登记项目', '内蒙古自治区') returning id`,
      );
      const applicationId = await idOf(
        tx,
        sql`insert into applications (institution_id, operation_id, applied_on, status, policy_version, requested_fen)
          values (${bankId}, ${operationId}, '2023-04-08', 'approved', '2021-11-launch', 600000) returning id`,
      );
      for (const [i, l] of input.loans.entries()) {
        const loanId = await idOf(
          tx,
          sql`insert into loans (institution_id, loan_ref, project_id, register_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen, rate_ppm,
              disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility, content_sha256, changed_by)
            values (${bankId}, ${`L${i}`}, ${projectIds[l.project]}, ${l.namesRegister ? registerId : null}, '借款人', '91110108MA0000000X', ${l.principalFen}, ${l.principalFen}, ${l.ratePpm},
              ${l.disbursedOn}, '2033-01-01', '2021-11', '2021-11-launch', '5y_plus', '2022-05', 44500, true, 'eligible', md5(${String(i)}), ${userId}) returning id`,
        );
        if (l.covered)
          await tx.execute(sql`insert into application_loans (application_id, loan_id, principal_fen, requested_support_fen, active,
              loan_principal_fen, loan_matures_on, loan_eligibility)
            select ${applicationId}, id, principal_fen, 600000, 1, principal_fen, matures_on, eligibility from loans where id = ${loanId}`);
      }
      await check(tx);
      throw rollback;
    })
    .catch((err) => {
      if (err !== rollback) throw err;
    });
}

/** The covered loans as the domain rule takes them, each with the figures its reduction is attributed with. */
const coveredLoans = (input: Input): CoveredLoanFigures[] => {
  const fundedFen = input.loans.filter((l) => l.namesRegister).reduce((n, l) => n + l.principalFen, 0n);
  return input.loans
    .filter((l) => l.covered)
    .map((l) => {
      const p = input.projects[l.project];
      const decided = l.namesRegister && input.decided ? input.decided : null;
      const figures = attributionFigures({
        own: { annualReductionCentitonnes: p.reductionCentitonnes, totalInvestmentFen: p.investmentFen },
        decided: decided && { annualReductionCentitonnes: decided.reductionCentitonnes, totalInvestmentFen: decided.investmentFen },
        fundedFen,
      });
      return {
        projectId: `P${l.project}`,
        ref: `P${l.project}`,
        name: `项目${l.project}`,
        subArea: p.subArea,
        basis: p.basis,
        disbursedOn: l.disbursedOn,
        principalFen: l.principalFen,
        ratePpm: l.ratePpm,
        figuresId: decided ? 'register' : null,
        reductionCentitonnes: figures.reductionCentitonnes,
        investmentFen: figures.denominatorFen,
      };
    });
};

describe('SQL copy of the quarter sums', () => {
  it("when random loans of one bank are covered or not, then the quarter's sums in SQL equal the domain rule's, for the bank alone and among all banks", async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        const expected = quarterSumsOf(coveredLoans(input), QUARTER);
        await withLoans(input, async (tx) => {
          const empty = { subAreas: [], topProjects: [] };
          expect((await quarterSums(tx, QUARTER, bankId)).get(bankId) ?? empty).toEqual(expected);
          expect((await quarterSums(tx, QUARTER)).get(bankId) ?? empty).toEqual(expected);
        });
      }),
      { numRuns: 40 },
    );
  });
  it('when the same random loans are read once for the sums and the frozen loan set, then the sums are the same and the set holds every counted loan, stored once', async () => {
    await fc.assert(
      fc.asyncProperty(inputArb, async (input) => {
        const expected = quarterSumsOf(coveredLoans(input), QUARTER);
        const counted = expected.subAreas.reduce((n, a) => n + a.sinceInception.loans, 0);
        await withLoans(input, async (tx) => {
          const empty = { subAreas: [], topProjects: [] };
          const once = await quarterSumsAndSets(tx, QUARTER, bankId);
          expect(once.sums.get(bankId) ?? empty).toEqual(expected);
          expect(once.sets.get(bankId)?.loans ?? 0).toBe(counted);
          // a part of the quarter's fan-out (several banks, one of them without loans): the same sums and set
          const part = await quarterSumsAndSets(tx, QUARTER, [randomUUID(), bankId]);
          expect(part.sums.get(bankId) ?? empty).toEqual(expected);
          expect(part.sets.get(bankId)).toEqual(once.sets.get(bankId));
          expect([...part.sums.keys()].every((id) => id === bankId)).toBe(true);
          // read again: the same set, not stored twice
          const again = await quarterSumsAndSets(tx, QUARTER);
          expect(again.sets.get(bankId)).toEqual(once.sets.get(bankId));
          const key = once.sets.get(bankId)?.key ?? null;
          const stored = await tx.execute(
            sql`select count(*)::int as n, coalesce(sum(loans), 0)::int as loans from disclosure_loan_sets where key = ${key}`,
          );
          expect((stored as unknown as { rows: { n: number; loans: number }[] }).rows[0]).toEqual(
            key ? { n: 1, loans: counted } : { n: 0, loans: 0 },
          );
        });
      }),
      { numRuns: 20 },
    );
  });
  it("when one bank's quarters are read at once, then each quarter's sums equal the domain rule's and its set holds the loans a read of that quarter alone freezes, stored as a delta of the base it follows", async () => {
    // gaps (2022Q3; 2022Q3–Q4, across a year end) and loans of an earlier year than the first quarter read (2023Q1)
    const readings = [
      ['2022Q2', '2022Q4', '2023Q1', '2023Q2'],
      ['2023Q1', '2023Q2'],
      ['2022Q2', '2023Q1'],
    ];
    const frozen = async (tx: Tx, key: string | null) =>
      key ? rowsOf<Record<string, unknown>>(await tx.execute(sql`select * from frozen_loans_of(${key}) order by ordinal`)) : [];
    await fc.assert(
      fc.asyncProperty(fc.oneof(inputArb, manyLoansArb), fc.nat(), async (input, pick) => {
        await withLoans(input, async (tx) => {
          const empty = { subAreas: [], topProjects: [] };
          const alone = async (quarter: string) => (await quarterSumsAndSets(tx, quarter, bankId)).sets.get(bankId);
          for (const quarters of readings) {
            const first = await bankQuartersSumsAndSets(
              tx,
              bankId,
              quarters.map((quarter) => ({ quarter, base: null })),
            );
            for (const quarter of quarters) {
              expect(first.get(quarter)!.sums).toEqual(quarterSumsOf(coveredLoans(input), quarter) ?? empty);
              const one = await alone(quarter);
              expect({ loans: first.get(quarter)!.loanSet.loans, sha256: first.get(quarter)!.loanSet.sha256 }).toEqual({
                loans: one?.loans ?? 0,
                sha256: one?.sha256 ?? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
              });
              expect(await frozen(tx, first.get(quarter)!.loanSet.key)).toEqual(await frozen(tx, one?.key ?? null));
            }
            // nothing changed: every quarter keeps the set it follows
            const same = await bankQuartersSumsAndSets(
              tx,
              bankId,
              quarters.map((quarter) => ({ quarter, base: first.get(quarter)!.loanSet.key })),
            );
            for (const quarter of quarters) expect(same.get(quarter)!.loanSet).toEqual(first.get(quarter)!.loanSet);
          }
          // one counted loan changes and another stops being counted: each quarter's new set is its own read's
          const counted = rowsOf<{ id: string }>(
            await tx.execute(sql`select loan_id as id from application_loans where active = 1 order by loan_id`),
          );
          if (!counted.length) return;
          const quarters = readings[0];
          const before = await bankQuartersSumsAndSets(
            tx,
            bankId,
            quarters.map((quarter) => ({ quarter, base: null })),
          );
          await tx.execute(sql`update loans set principal_fen = principal_fen + 1 where id = ${counted[pick % counted.length].id}`);
          if (counted.length > 1)
            await tx.execute(sql`update application_loans set active = 0 where loan_id = ${counted[(pick + 1) % counted.length].id}`);
          const after = await bankQuartersSumsAndSets(
            tx,
            bankId,
            quarters.map((quarter) => ({ quarter, base: before.get(quarter)!.loanSet.key })),
          );
          const sameAsAlone = async (read: typeof after) => {
            for (const quarter of quarters) {
              const one = await alone(quarter);
              expect(read.get(quarter)!.loanSet.sha256).toBe(
                one?.sha256 ?? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
              );
              expect(await frozen(tx, read.get(quarter)!.loanSet.key)).toEqual(await frozen(tx, one?.key ?? null));
            }
          };
          await sameAsAlone(after);
          // each earlier quarter's set was found to be the last one's loans by its end: remembered, and the
          // next read of the same sets takes that from there
          const lastKey = before.get(quarters[quarters.length - 1])!.loanSet.key;
          const remembered = rowsOf<{ n: number }>(
            await tx.execute(sql`select count(*)::int as n from loan_set_restrictions where of_key = ${lastKey}`),
          )[0].n;
          const earlier = quarters.slice(0, -1).filter((q) => before.get(q)!.loanSet.key && before.get(q)!.loanSet.key !== lastKey);
          expect(remembered).toBe(lastKey ? earlier.length : 0);
          await sameAsAlone(
            await bankQuartersSumsAndSets(
              tx,
              bankId,
              quarters.map((quarter) => ({ quarter, base: before.get(quarter)!.loanSet.key })),
            ),
          );
          // the last quarter's base frozen from other records than the earlier quarters' bases: each compared in full
          const last = quarters[quarters.length - 1];
          const lastAlone = await bankQuartersSumsAndSets(tx, bankId, [{ quarter: last, base: null }]);
          await tx.execute(sql`update loans set rate_ppm = rate_ppm + 1 where id = ${counted[(pick + 2) % counted.length].id}`);
          const mixed = await bankQuartersSumsAndSets(
            tx,
            bankId,
            quarters.map((quarter) => ({ quarter, base: (quarter === last ? lastAlone : after).get(quarter)!.loanSet.key })),
          );
          await sameAsAlone(mixed);
        });
      }),
      { numRuns: 25 },
    );
  });
});
