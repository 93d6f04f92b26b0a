/**
 * Effective dates on every booking: a bank in migration mode records its past with its own dates, the
 * rules of those dates apply, bookings keep their order, and interest from a back-dated date is booked
 * up to today in one entry (taken back and booked again when a later settlement is dated before it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser, setMigrationMode } from '../factories/institutions.js';
import { bond, createLoan, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-03-01T04:00:00Z' }); // today is 2023-03-01 in Asia/Shanghai
  bank = await createInstitution(t, { code: 'PAST' });
  checker = await createUser(t, 'PBOC', 'second operator');
});
afterAll(async () => t.close());

describe('a bank records its past', () => {
  let loanRef: string;
  let applicationId: string;
  let trancheId: string;

  it('when an operator opens an operation dated earlier, then it needs a reason and the history says who, when and why', async () => {
    const future = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2022Q4', volume: '100000000.00', on: '2023-03-02' });
    expect(future).toMatchObject({ status: 422, body: { code: 'booking_in_future', errors: [{ path: 'on', code: 'booking_in_future' }] } });
    const noReason = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2022Q4', volume: '100000000.00', on: '2022-10-08' });
    expect(noReason).toMatchObject({ status: 422, body: { code: 'backdate_reason_required', errors: [{ path: 'reason' }] } });
    const opened = await openOperation(t, '2022Q4', '100000000.00', {
      on: '2022-10-08',
      reason: 'recording the 2022Q4 operation from the paper register',
    });
    expect(opened.quarter).toBe('2022Q4');
  });

  it('when a bank back-dates its application, then it is refused until an operator sets migration mode', async () => {
    loanRef = (await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2022-10-20', maturesOn: '2025-10-20' })).loanRef;
    const body = {
      operation: '2022Q4',
      loanRefs: [loanRef],
      collateral: [bond('CGB-PAST', '700000.00')],
      on: '2022-11-01',
      reason: 'history',
    };
    expect(await post(t, bank.apiKey, '/api/v1/applications', body)).toMatchObject({
      status: 403,
      body: { code: 'backdating_not_allowed' },
    });

    await setMigrationMode(t, bank.code, true, 'moving its 2022 records onto the system');
    const mode = await get(t, t.operatorKey, `/api/v1/institutions/${bank.code}`);
    expect(mode.body.migrationMode).toMatchObject({ reason: 'moving its 2022 records onto the system' });

    const applied = await post(t, bank.apiKey, '/api/v1/applications', body);
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ appliedOn: '2022-11-01', requested: '600000.00' });
    applicationId = applied.body.id;
  });

  it('when an approval is dated before the application, then booking_out_of_order names the date it must follow', async () => {
    const early = await post(t, t.operatorKey, `/api/v1/applications/${applicationId}/approve`, {
      reason: 'meets the rules',
      on: '2022-10-31',
    });
    expect(early).toMatchObject({ status: 409, body: { code: 'booking_out_of_order', mustFollow: '2022-11-01' } });
    const approved = await post(t, t.operatorKey, `/api/v1/applications/${applicationId}/approve`, {
      reason: 'meets the rules',
      on: '2022-11-10',
    });
    expect(approved.status).toBe(200);
  });

  it('when the bank pledges more collateral dated before the approval, then booking_out_of_order; dated after it, the pledge keeps its date', async () => {
    const pledge = (on: string) =>
      post(t, bank.apiKey, `/api/v1/applications/${applicationId}/collateral`, {
        collateral: [bond(`CGB-MORE-${on}`, '100000.00')],
        on,
        reason: 'second pledge from the paper register',
      });
    expect(await pledge('2022-11-09')).toMatchObject({ status: 409, body: { code: 'booking_out_of_order', mustFollow: '2022-11-10' } });
    const pledged = await pledge('2022-11-12');
    expect(pledged.status).toBe(201);
    const refs = pledged.body.collateral.map((c: { ref: string; valuedOn: string }) => `${c.ref}@${c.valuedOn}`);
    expect(refs).toContain('CGB-MORE-2022-11-12@2022-11-12');
    expect(refs.join()).not.toContain('CGB-MORE-2022-11-09');
  });

  it("when the disbursement is dated 2022-11-15, then the tranche takes that day's rate and the interest up to today is booked in one entry", async () => {
    const res = await post(t, checker.apiKey, `/api/v1/applications/${applicationId}/disburse`, {
      on: '2022-11-15',
      reason: 'booked on paper that day',
    });
    expect(res.status).toBe(201);
    // 600,000.00 at 1.75 % (the rate of 2022-11-15), 106 days to 2023-03-01 on actual/360:
    // 60,000,000 fen × 0.0175 × 106 / 360 = 309,166.67 fen → 3,091.67
    expect(res.body).toMatchObject({
      startOn: '2022-11-15',
      maturesOn: '2023-11-15',
      ratePercent: '1.75',
      accruedThrough: '2023-03-01',
      interestAccrued: '3091.67',
    });
    trancheId = res.body.id;
    const journal = await get(t, t.operatorKey, `/api/v1/journal?institution=${bank.code}`);
    const kinds = journal.body.items.map((e: { kind: string; effectiveOn: string }) => `${e.kind}@${e.effectiveOn}`);
    expect(kinds).toEqual(expect.arrayContaining(['disbursement@2022-11-15', 'accrual@2023-03-01']));
    expect(kinds.filter((k: string) => k.startsWith('accrual'))).toHaveLength(1);
  });

  it('when a repayment is dated before the interest already booked, then the interest after it is taken back and booked again on what remains', async () => {
    const res = await post(t, bank.apiKey, `/api/v1/facilities/${trancheId}/repay`, {
      principal: '100000.00',
      on: '2023-01-15',
      reason: 'repaid on 2023-01-15',
    });
    expect(res.status).toBe(200);
    // paid: 61 days on 600,000.00 = 60,000,000 × 0.0175 × 61 / 360 = 177,916.67 fen → 1,779.17
    // then 45 days on 500,000.00 to 2023-03-01 = 50,000,000 × 0.0175 × 45 / 360 = 109,375 fen → 1,093.75
    expect(res.body).toMatchObject({ paidPrincipal: '100000.00', paidInterest: '1779.17' });
    expect(res.body.facility).toMatchObject({
      outstanding: '500000.00',
      accruedThrough: '2023-03-01',
      interestAccrued: '2872.92',
      interestPaid: '1779.17',
    });

    const balances = await get(t, t.operatorKey, `/api/v1/journal/balances?institution=${bank.code}`);
    const interestReceivable = balances.body.accounts.find(
      (b: { account: string }) => b.account === `pbc:interest_receivable:${bank.code}`,
    );
    expect(interestReceivable).toMatchObject({ balance: '1093.75' });
    expect((await verifyJournal(t)).intact).toBe(true);
  });

  it('when a second repayment is dated before the first, then it is refused and nothing moves', async () => {
    const res = await post(t, bank.apiKey, `/api/v1/facilities/${trancheId}/repay`, {
      principal: '1.00',
      on: '2023-01-10',
      reason: 'late entry',
    });
    expect(res).toMatchObject({ status: 409, body: { code: 'booking_out_of_order', mustFollow: '2023-01-15' } });
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${trancheId}`)).body).toMatchObject({ outstanding: '500000.00' });
  });

  it('when anyone reads the history, then every booking shows its effective date, who booked it, when and why', async () => {
    const tranche = await get(t, bank.apiKey, `/api/v1/facilities/${trancheId}/history`);
    expect(tranche.body.items).toEqual([
      expect.objectContaining({
        command: 'disburse',
        effectiveOn: '2022-11-15',
        bookedBy: 'second operator',
        reason: 'booked on paper that day',
        backdated: true,
      }),
      expect.objectContaining({ command: 'repay', effectiveOn: '2023-01-15', reason: 'repaid on 2023-01-15', backdated: true }),
    ]);
    expect(tranche.body.items[0].bookedAt).toMatch(/^2023-03-01T/);
    const application = await get(t, bank.apiKey, `/api/v1/applications/${applicationId}/history`);
    expect(application.body.items.map((b: { command: string; effectiveOn: string }) => `${b.command}@${b.effectiveOn}`)).toEqual([
      'apply@2022-11-01',
      'approve@2022-11-10',
      'pledge@2022-11-12',
      'disburse@2022-11-15',
    ]);
  });

  it('when migration mode ends, then the bank books only today again', async () => {
    await setMigrationMode(t, bank.code, false, 'history recorded');
    const res = await post(t, bank.apiKey, `/api/v1/facilities/${trancheId}/repay`, {
      principal: '1.00',
      on: '2023-02-01',
      reason: 'late entry',
    });
    expect(res).toMatchObject({ status: 403, body: { code: 'backdating_not_allowed' } });
  });
});
