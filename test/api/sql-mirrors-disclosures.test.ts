/**
 * SQL mirrors of the disclosure rules run against their domain functions on the same random inputs,
 * on a real database: "covered by approved support" (db/sql/covered-by-approved-support.ts, used by
 * the quarter's compilation and the verifier's sample) must select exactly the loans that
 * `isCoveredByApprovedSupport` accepts, each once; and a bank has support by a date (the banks the
 * quarter's compile covers) exactly when one of those loans was disbursed by then.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Tx } from '../../db/client.js';
import { bankHasSupport, countedLoanCandidates } from '../../db/repositories/disclosures.js';
import { coveredByApprovedSupport } from '../../db/sql/covered-by-approved-support.js';
import {
  isCoveredByApprovedSupport,
  type ApplicationStatus,
  type SupportLink,
} from '../../domain/disclosures/covered-by-approved-support.js';
import { createTestDatabase } from '../support/harness.js';

const LOANS = 6;
const STATUSES: ApplicationStatus[] = ['submitted', 'approved', 'rejected', 'disbursed'];
const QUARTER = '2022Q3';
const QUARTER_END = '2022-09-30';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let bankId: string;
let operationId: string;
/** the fixed loans: id and disbursement date (some after the quarter, which the sample's candidates leave out) */
const loans: { id: string; disbursedOn: string }[] = [];

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  [{ id: bankId }] = rowsOf<{ id: string }>(
    await db.execute(
      sql`insert into institutions (code, name_zh, name_en, kind, eligible_from) values ('MIRROR', '镜像银行', 'Mirror Bank', 'bank', '2021-11-08') returning id`,
    ),
  );
  const [{ id: userId }] = rowsOf<{ id: string }>(
    await db.execute(
      sql`insert into users (institution_id, name, role, api_key_sha256) values (${bankId}, 'mirror', 'bank', md5('mirror')) returning id`,
    ),
  );
  const [{ id: projectId }] = rowsOf<{ id: string }>(
    await db.execute(sql`insert into projects (institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes, reduction_basis, evidence_title, evidence_sha256)
      values (${bankId}, 'P-MIRROR', '镜像项目', '内蒙古自治区', 'CE.WIND', 100000000000, 1000000, 'feasibility_study', '可研', md5('p') || md5('p')) returning id`),
  );
  for (let i = 0; i < LOANS; i++) {
    const disbursedOn = i % 3 === 2 ? '2022-10-15' : `2022-0${7 + (i % 2)}-1${i}`;
    const [{ id }] = rowsOf<{ id: string }>(
      await db.execute(sql`insert into loans (institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen, rate_ppm,
          disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility, content_sha256, changed_by)
        values (${bankId}, ${`L-MIRROR-${i}`}, ${projectId}, '借款人', '91110108MA0000000X', ${1_000_000 + i}, ${1_000_000 + i}, 38000,
          ${disbursedOn}, '2032-01-01', '2021-11', '2021-11-launch', '5y_plus', '2022-05', 44500, true, 'eligible', md5(${String(i)}), ${userId}) returning id`),
    );
    loans.push({ id, disbursedOn });
  }
  [{ id: operationId }] = rowsOf<{ id: string }>(
    await db.execute(
      sql`insert into operations (quarter, opens_on, closes_on, volume_fen, created_by) values ('2022Q4', '2022-10-01', '2022-12-31', 1000000000000, ${userId}) returning id`,
    ),
  );
});
afterAll(async () => {
  await database?.close();
});

/** Applications with random statuses, and each loan's links to them (at most one active per loan, as the database requires). */
const supportArb = fc
  .array(fc.constantFrom(...STATUSES), { maxLength: 4 })
  .chain((statuses) =>
    fc.record({
      statuses: fc.constant(statuses),
      links: fc.array(fc.array(fc.option(fc.boolean(), { nil: null }), { minLength: statuses.length, maxLength: statuses.length }), {
        minLength: LOANS,
        maxLength: LOANS,
      }),
    }),
  )
  .map(({ statuses, links }) => ({
    statuses,
    // links[loan][application]: null = not listed, true/false = active; only the first active link of a loan stays active
    links: links.map((row) => {
      let seenActive = false;
      return row.map((active) => {
        if (active === null) return null;
        const keep = active && !seenActive;
        seenActive ||= keep;
        return keep;
      });
    }),
  }));

/** Writes the applications and links, runs `check` in the same transaction, then rolls everything back. */
async function withSupport(input: { statuses: ApplicationStatus[]; links: (boolean | null)[][] }, check: (tx: Tx) => Promise<void>) {
  const rollback = new Error('rollback');
  await db
    .transaction(async (tx) => {
      const applicationIds: string[] = [];
      for (const status of input.statuses) {
        const [{ id }] = rowsOf<{ id: string }>(
          await tx.execute(sql`insert into applications (institution_id, operation_id, applied_on, status, policy_version, requested_fen)
            values (${bankId}, ${operationId}, '2022-10-08', ${status}, '2021-11-launch', 600000) returning id`),
        );
        applicationIds.push(id);
      }
      for (const [i, row] of input.links.entries()) {
        for (const [j, active] of row.entries()) {
          if (active === null) continue;
          await tx.execute(sql`insert into application_loans (application_id, loan_id, principal_fen, requested_support_fen, active,
              loan_principal_fen, loan_matures_on, loan_eligibility)
            select ${applicationIds[j]}, id, 1000000, 600000, ${active ? 1 : 0}, principal_fen, matures_on, eligibility
            from loans where id = ${loans[i].id}`);
        }
      }
      await check(tx);
      throw rollback;
    })
    .catch((err) => {
      if (err !== rollback) throw err;
    });
}

/** What the domain says of each fixed loan, given the generated links. */
const coveredByDomain = (input: { statuses: ApplicationStatus[]; links: (boolean | null)[][] }) =>
  loans.filter((_, i) => {
    const links: SupportLink[] = input.links[i].flatMap((active, j) =>
      active === null ? [] : [{ active, applicationStatus: input.statuses[j] }],
    );
    return isCoveredByApprovedSupport(links);
  });

describe('SQL mirrors of the disclosure rules', () => {
  it("when loans sit on random applications and one loan's disbursement date is corrected, then the bank has support by a date exactly when a covered loan was disbursed by then", async () => {
    const dates = ['2022-07-09', '2022-07-10', '2022-08-11', '2022-09-30', '2022-10-14', '2022-10-15', '2022-12-31'];
    await fc.assert(
      fc.asyncProperty(
        supportArb,
        fc.option(fc.record({ loan: fc.integer({ min: 0, max: LOANS - 1 }), to: fc.constantFrom(...dates) }), { nil: null }),
        async (input, moved) => {
          const disbursedOn = (i: number) => (moved && moved.loan === i ? moved.to : loans[i].disbursedOn);
          const covered = coveredByDomain(input).map((l) => disbursedOn(loans.indexOf(l)));
          await withSupport(input, async (tx) => {
            // after the links are written: the copy on the loan's live row follows it
            if (moved) await tx.execute(sql`update loans set disbursed_on = ${moved.to} where id = ${loans[moved.loan].id}`);
            for (const through of dates) expect(await bankHasSupport(tx, bankId, through)).toBe(covered.some((on) => on <= through));
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('when loans sit on random applications, then the covered-by-approved-support joins select exactly the loans the domain rule covers, each once', async () => {
    await fc.assert(
      fc.asyncProperty(supportArb, async (input) => {
        const expected = coveredByDomain(input)
          .map((l) => l.id)
          .sort();
        await withSupport(input, async (tx) => {
          const ids = loans.map((l) => l.id);
          const selected = rowsOf<{ id: string }>(
            await tx.execute(sql`select l.id from loans l ${coveredByApprovedSupport} where l.id in ${ids}`),
          ).map((r) => r.id);
          expect(selected.sort()).toEqual(expected);
        });
      }),
      { numRuns: 60 },
    );
  });

  it("when loans sit on random applications, then the verifier's sample candidates are the covered loans disbursed by the quarter's end", async () => {
    await fc.assert(
      fc.asyncProperty(supportArb, async (input) => {
        const expected = coveredByDomain(input)
          .filter((l) => l.disbursedOn <= QUARTER_END)
          .map((l) => l.id)
          .sort();
        await withSupport(input, async (tx) => {
          const candidates = await countedLoanCandidates(tx, bankId, QUARTER);
          expect(candidates.map((c) => c.id).sort()).toEqual(expected);
        });
      }),
      { numRuns: 40 },
    );
  });
});
