import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { createInstitution, createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  checker = await createUser(t, 'PBOC', 'checker');
  await openOperation(t, '2023Q2', '100000000000.00');
});
afterAll(async () => t.close());

const fen = (yuan: string) => parseYuan(yuan)!;
const at = (date: string) => t.setNow(`${date}T04:00:00Z`);

type Action =
  { kind: 'accrue'; days: number } | { kind: 'repay'; sharePpm: number } | { kind: 'loanRepay'; sharePpm: number } | { kind: 'rollover' };
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('accrue' as const), days: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('repay' as const), sharePpm: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('loanRepay' as const), sharePpm: fc.integer({ min: 0, max: 1_000_000 }) }),
  fc.constant({ kind: 'rollover' as const }),
);

describe('ledger invariants under random lifecycles', () => {
  it('whatever the sequence of accruals, repayments, loan repayments and rollovers, the journal balances, receivables equal the tranches exactly, rollovers stay ≤ 2 and support ≤ 60 % of outstanding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 10_000n, max: 1_000_000_000n }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(actionArb, { minLength: 1, maxLength: 8 }),
        async (principalsFen, approvedSharePpm, actions) => {
          let today = '2023-06-01';
          at(today);
          const bank = await createInstitution(t);
          const loans = [];
          for (const p of principalsFen)
            loans.push(await createLoan(t, bank.apiKey, { principal: formatYuan(p), disbursedOn: '2023-05-15', maturesOn: '2027-05-15' }));
          const application = await apply(t, bank.apiKey, {
            operation: '2023Q2',
            loanIds: loans.map((l) => l.id),
            collateral: [bond(`CGB-${bank.code}`, '99999999999.00')],
          });
          const requestedFen = fen(application.requested);
          // a partial approval covers whole loans: never less than the smallest loan's support
          const supports = (await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body.loans.map(
            (l: { requestedSupport: string }) => fen(l.requestedSupport),
          ) as bigint[];
          const smallestFen = supports.reduce((a, b) => (b < a ? b : a));
          const shareFen = (requestedFen * BigInt(approvedSharePpm)) / 1_000_000n;
          const approvedFen = shareFen > smallestFen ? shareFen : smallestFen;
          await approve(t, t.operatorKey, application.id, formatYuan(approvedFen));
          let live = await disburse(t, checker.apiKey, application.id);

          for (const action of actions) {
            if (live.status === 'repaid') break;
            if (action.kind === 'accrue') {
              today = addDays(today, action.days);
              at(today);
              expect((await post(t, t.operatorKey, '/api/v1/facilities/accrue', { through: today })).status).toBe(200);
            } else if (action.kind === 'repay') {
              const principal = (fen(live.outstanding) * BigInt(action.sharePpm)) / 1_000_000n;
              const res = await post(t, bank.apiKey, `/api/v1/facilities/${live.id}/repay`, { principal: formatYuan(principal) });
              expect([200, 409]).toContain(res.status);
              if (res.status === 200) live = res.body.facility;
              else expect(res.body.code).toBe('nothing_to_repay');
            } else if (action.kind === 'loanRepay') {
              const loan = (await get(t, bank.apiKey, `/api/v1/loans/${loans[0].id}`)).body;
              const amount = (fen(loan.outstandingPrincipal) * BigInt(action.sharePpm)) / 1_000_000n;
              if (amount > 0n)
                expect(
                  (await post(t, bank.apiKey, `/api/v1/loans/${loans[0].id}/repayments`, { repaidOn: today, amount: formatYuan(amount) }))
                    .status,
                ).toBe(201);
            } else {
              if (live.maturesOn >= today) {
                today = live.maturesOn;
                at(today);
              }
              const res = await post(t, bank.apiKey, `/api/v1/facilities/${live.id}/rollover`);
              if (res.status === 201) {
                const outstandingLoansFen = (await Promise.all(loans.map((l) => get(t, bank.apiKey, `/api/v1/loans/${l.id}`)))).reduce(
                  (s, r) => s + fen(r.body.outstandingPrincipal),
                  0n,
                );
                const capFen = fen(res.body.cap);
                // cap = 60 % of outstanding eligible principal, rounded half up once
                expect(2n * (capFen * 1_000_000n - outstandingLoansFen * 600_000n) <= 1_000_000n).toBe(true);
                expect(fen(res.body.facility.principal) <= capFen).toBe(true);
                expect(res.body.facility.rolloverCount).toBeLessThanOrEqual(2);
                live = res.body.facility;
              } else {
                expect(res.status).toBe(409);
                expect(['rollovers_exhausted', 'facility_overdue', 'nothing_to_roll_over']).toContain(res.body.code);
              }
            }
          }

          // the journal is intact and every bank balances
          const report = await verifyJournal(t);
          expect(report.intact).toBe(true);
          // derived balances equal the tranches' own figures, to the fen
          const tranches = (await get(t, bank.apiKey, '/api/v1/facilities?limit=1000')).body.items as {
            outstanding: string;
            interestAccrued: string;
            interestPaid: string;
            rolloverCount: number;
          }[];
          const balances = (await get(t, bank.apiKey, '/api/v1/journal/balances')).body.accounts as { account: string; balance: string }[];
          const balance = (name: string) => fen(balances.find((b) => b.account === `pbc:${name}:${bank.code}`)?.balance ?? '0.00');
          const sum = (f: (x: (typeof tranches)[number]) => bigint) => tranches.reduce((s, x) => s + f(x), 0n);
          expect(balance('relending_receivable')).toBe(sum((x) => fen(x.outstanding)));
          expect(balance('interest_receivable')).toBe(sum((x) => fen(x.interestAccrued) - fen(x.interestPaid)));
          expect(balance('interest_income')).toBe(-sum((x) => fen(x.interestAccrued)));
          expect(tranches.every((x) => x.rolloverCount <= 2)).toBe(true);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 12) },
    );
  });
});
