import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  bank = await createInstitution(t, { code: 'LIFE' });
  checker = await createUser(t, 'PBOC', 'second operator');
});
afterAll(async () => t.close());

describe('a tranche from application to repayment', () => {
  it('when a bank applies, is approved, disbursed, rolls over twice and repays, then every figure is the hand-computed one and the journal balances', async () => {
    // arrange: a loan of 1,000,000.00 yuan disbursed before the application
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    await openOperation(t, '2023Q2', '100000000.00');

    // apply: support = 60 % × 1,000,000.00 = 600,000.00
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CGB-2301', '700000.00')],
    });
    expect(application).toMatchObject({ status: 'submitted', requested: '600000.00', eligibleCollateral: '700000.00' });
    expect(application.loans).toEqual([
      expect.objectContaining({ loanId: loan.id, eligiblePrincipal: '1000000.00', requestedSupport: '600000.00' }),
    ]);

    // approve (operator 1), disburse (operator 2) on 2023-06-01 at the rate then in force, 1.75 %
    expect((await approve(t, t.operatorKey, application.id)).status).toBe('approved');
    const tranche = await disburse(t, checker.apiKey, application.id);
    expect(tranche).toMatchObject({
      principal: '600000.00',
      outstanding: '600000.00',
      ratePercent: '1.75',
      dayCount: 'actual_360',
      startOn: '2023-06-01',
      maturesOn: '2024-06-01',
      rolloverCount: 0,
      status: 'active',
    });

    // one year later: 2023-06-01 → 2024-06-01 is 366 days (29 Feb 2024); 600,000 × 1.75 % × 366 / 360 = 10,675.00
    t.setNow('2024-06-01T04:00:00Z');
    const accrual = await post(t, t.operatorKey, '/api/v1/facilities/accrue', { through: '2024-06-01' });
    expect(accrual.status).toBe(200);
    expect(accrual.body).toMatchObject({ tranches: 1, total: '10675.00' });
    const again = await post(t, t.operatorKey, '/api/v1/facilities/accrue', { through: '2024-06-01' });
    expect(again.body).toMatchObject({ tranches: 0, total: '0.00' });
    const statement = await get(t, bank.apiKey, '/api/v1/facilities/statement?on=2024-06-01');
    expect(statement.body).toMatchObject({ outstandingPrincipal: '600000.00', accruedInterest: '10675.00' });
    expect(statement.body.upcomingMaturities).toEqual([
      expect.objectContaining({ facilityId: tranche.id, maturesOn: '2024-06-01', rolloversLeft: 2 }),
    ]);

    // first rollover on the maturity date: interest settled, full 600,000.00 rolls (cap 60 % × 1,000,000.00)
    const first = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ cap: '600000.00', excessRepaid: '0.00', interestPaid: '10675.00' });
    expect(first.body.previous).toMatchObject({ status: 'rolled_over', outstanding: '0.00' });
    expect(first.body.facility).toMatchObject({
      principal: '600000.00',
      rolloverCount: 1,
      ratePercent: '1.75',
      startOn: '2024-06-01',
      maturesOn: '2025-06-01',
      rolledFromId: tranche.id,
    });

    // second rollover on 2025-06-01 takes the rate in force then, 1.50 %
    t.setNow('2025-06-01T04:00:00Z');
    const second = await post(t, bank.apiKey, `/api/v1/facilities/${first.body.facility.id}/rollover`);
    expect(second.status).toBe(201);
    // 2024-06-01 → 2025-06-01 = 365 days: 600,000 × 1.75 % × 365 / 360 = 10,645.833… → 10,645.83
    expect(second.body).toMatchObject({ interestPaid: '10645.83' });
    expect(second.body.facility).toMatchObject({ rolloverCount: 2, ratePercent: '1.50', maturesOn: '2026-06-01' });

    // a third rollover is refused with its own code, and writes nothing
    t.setNow('2026-06-01T04:00:00Z');
    const before = await verifyJournal(t);
    const third = await post(t, bank.apiKey, `/api/v1/facilities/${second.body.facility.id}/rollover`);
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('rollovers_exhausted');
    expect((await verifyJournal(t)).entries).toBe(before.entries);

    // repayment in full on maturity: 600,000 × 1.50 % × 365 / 360 = 9,125.00
    const repaid = await post(t, bank.apiKey, `/api/v1/facilities/${second.body.facility.id}/repay`, { principal: '600000.00' });
    expect(repaid.status).toBe(200);
    expect(repaid.body).toMatchObject({ paidPrincipal: '600000.00', paidInterest: '9125.00' });
    expect(repaid.body.facility).toMatchObject({ status: 'repaid', outstanding: '0.00', closedOn: '2026-06-01' });

    // the journal: intact chain, balanced per bank; receivables back to zero, income = all interest
    const report = await verifyJournal(t);
    expect(report).toMatchObject({ intact: true, brokenAt: null });
    expect(report.institutions).toEqual([expect.objectContaining({ code: 'LIFE', balanced: true })]);
    const balances = await get(t, bank.apiKey, '/api/v1/journal/balances');
    const balance = (account: string) => balances.body.accounts.find((a: { account: string }) => a.account === account)?.balance;
    expect(balance('pbc:relending_receivable:LIFE')).toBe('0.00');
    expect(balance('pbc:interest_receivable:LIFE')).toBe('0.00');
    expect(balance('pbc:interest_income:LIFE')).toBe('-30445.83'); // 10,675.00 + 10,645.83 + 9,125.00, a credit balance
    expect(balance('pbc:reserves:LIFE')).toBe('30445.83'); // paid out 600,000.00, paid back 630,445.83
  });
});
