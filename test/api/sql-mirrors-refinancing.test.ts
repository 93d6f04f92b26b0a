/**
 * Each SQL mirror of a refinancing rule (db/sql/refinancing/) computes what its domain function computes:
 * the same random inputs go to PostgreSQL (or PGlite) and to the pure function, and the answers agree.
 */
import fc from 'fast-check';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { accruedThroughFenSql } from '../../db/sql/refinancing/accrued-through-fen.js';
import { qualifiesForSupportSql } from '../../db/sql/refinancing/qualifies-for-support.js';
import { statusOnSql } from '../../db/sql/refinancing/status-on.js';
import { addDays } from '../../domain/dates.js';
import { POLICY_VERSIONS, type DayCount } from '../../domain/policy/index.js';
import { loanRuleFailed, type CandidateLoan } from '../../domain/refinancing/application.js';
import { statusOn, type FacilityStatus } from '../../domain/refinancing/facility.js';
import { accruedThroughFen, DAY_COUNT_BASE_DAYS } from '../../domain/refinancing/interest.js';
import { createTestDatabase } from '../support/harness.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

/** The value of one SQL expression. */
async function valueOf<T>(expression: SQL): Promise<T> {
  const result = await database.db.execute(sql`select ${expression} as v`);
  const rows = (result as unknown as { rows?: { v: T }[] }).rows ?? (result as unknown as { v: T }[]);
  return rows[0].v;
}

const text = (v: string) => sql`${v}::text`;
const date = (v: string) => sql`${v}::date`;
const int8 = (v: bigint) => sql`${v.toString()}::bigint`;

/** Dates from 2020 to the end of 2030, around the facility's launch, its window and its end. */
const isoDate = fc.integer({ min: 0, max: 4000 }).map((n) => addDays('2020-01-01', n));
const RUNS = { numRuns: 300 };

describe('SQL mirrors of the refinancing rules agree with the domain', () => {
  it('accrued interest of a segment: accruedThroughFenSql = accruedThroughFen', async () => {
    const dayCounts = Object.keys(DAY_COUNT_BASE_DAYS) as DayCount[];
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10n ** 14n }),
        fc.bigInt({ min: 0n, max: 200_000n }),
        fc.constantFrom(...dayCounts),
        isoDate,
        isoDate,
        async (principalFen, ratePpm, dayCount, fromOn, through) => {
          const expected = accruedThroughFen({ principalFen, ratePpm, dayCount, fromOn }, through, 'half_up');
          const fragment = accruedThroughFenSql(
            { principalFen: int8(principalFen), ratePpm: int8(ratePpm), dayCount: text(dayCount), fromOn: date(fromOn) },
            date(through),
            'half_up',
          );
          expect(BigInt(await valueOf<string>(sql`${fragment}::text`))).toBe(expected);
        },
      ),
      RUNS,
    );
  });

  it('maturity status: statusOnSql = statusOn', async () => {
    const statuses: FacilityStatus[] = ['active', 'matured', 'rolled_over', 'repaid', 'overdue'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...statuses),
        fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 12n })),
        // maturity and scan date close together, so "on the date" comes up often
        isoDate,
        fc.integer({ min: -3, max: 3 }),
        async (status, outstandingFen, maturesOn, offset) => {
          const on = addDays(maturesOn, offset);
          const expected = statusOn({ status, maturesOn, outstandingFen }, on);
          expect(
            await valueOf<string>(
              statusOnSql({ status: text(status), maturesOn: date(maturesOn), outstandingFen: int8(outstandingFen) }, date(on)),
            ),
          ).toBe(expected);
        },
      ),
      RUNS,
    );
  });

  it('a loan qualifies for support on the application date: qualifiesForSupportSql = (loanRuleFailed = null) for a loan on no live application', async () => {
    const eligibilities: CandidateLoan['eligibility'][] = ['eligible', 'flagged', 'accepted'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POLICY_VERSIONS),
        // disbursed anywhere, or right at the edge of the policy's window
        fc.oneof(
          isoDate.map((d) => ({ d, nearWindow: false })),
          fc.integer({ min: -2, max: 2 }).map((n) => ({ d: String(n), nearWindow: true })),
        ),
        fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -400, max: 400 })),
        fc.constantFrom(...eligibilities),
        fc.oneof(fc.constant(0n), fc.bigInt({ min: -5n, max: 10n ** 12n })),
        // maturity near the application date, so "matured the day before" comes up often
        fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -800, max: 800 })),
        async (policy, disbursed, daysToApplication, eligibility, outstandingFen, maturityToApplication) => {
          const disbursedOn = disbursed.nearWindow ? addDays(policy.loansDisbursedFrom, Number(disbursed.d)) : disbursed.d;
          const appliedOn = addDays(disbursedOn, daysToApplication);
          const maturesOn = addDays(appliedOn, maturityToApplication);
          const loan: CandidateLoan = {
            id: 'l',
            loanRef: 'L',
            disbursedOn,
            maturesOn,
            eligibility,
            principalFen: outstandingFen,
            outstandingFen,
            liveApplicationStatus: null,
          };
          const expected = loanRuleFailed(loan, appliedOn, policy) === null;
          const fragment = qualifiesForSupportSql(
            {
              disbursedOn: date(disbursedOn),
              maturesOn: date(maturesOn),
              eligibility: text(eligibility),
              outstandingFen: int8(outstandingFen),
            },
            date(appliedOn),
            policy,
          );
          expect(await valueOf<boolean>(fragment)).toBe(expected);
        },
      ),
      RUNS,
    );
  });
});
