/**
 * Loans that are no longer running (issue 9 item 4), through the real API with a fixed service clock: a
 * loan matured or fully repaid on the application date is refused; a tranche's pool counts only the loans
 * still running, with their outstanding principal on the date; when a loan repayment or a loan's maturity
 * takes a tranche above 60 % of its pool, a pool shortfall is raised (due 30 days later under every policy
 * version so far), and a repayment of the excess (or the rollover) clears it.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { signInToPages } from '../factories/sessions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-02-01T04:00:00Z' });
  checker = await createUser(t, 'PBOC', 'second operator');
  await openOperation(t, '2023Q1', '100000000.00');
  await openOperation(t, '2023Q2', '100000000.00');
});
afterAll(async () => t.close());

const at = (date: string) => t.setNow(`${date}T04:00:00Z`);

async function repayLoan(key: string, loanId: string, repaidOn: string, amount: string) {
  const res = await post(t, key, `/api/v1/loans/${loanId}/repayments`, { repaidOn, amount });
  if (res.status !== 201) throw new Error(`repayLoan: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function shortfallsOf(key: string, query = '') {
  const res = await get(t, key, `/api/v1/pool-shortfalls${query}`);
  expect(res.status).toBe(200);
  return res.body.items as Record<string, unknown>[];
}

/** Applies for the loans, has one operator approve and another book the disbursement: the tranche. */
async function supported(bankKey: string, operation: string, loanRefs: string[], collateral: string) {
  const application = await apply(t, bankKey, { operation, loanRefs, collateral: [bond(`CGB-${loanRefs[0]}`, collateral)] });
  await approve(t, t.operatorKey, application.id);
  return { application, tranche: await disburse(t, checker.apiKey, application.id) };
}

describe('loans no longer running on the application date', () => {
  it('when a loan that matured on 2023-01-10 is listed on 2023-02-01, then it is refused loan_matured, and "all loans disbursed through" leaves it out', async () => {
    const bank = await createInstitution(t);
    const matured = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2022-01-10', maturesOn: '2023-01-10' });
    const running = await createLoan(t, bank.apiKey, { principal: '300000.00', disbursedOn: '2022-06-01', maturesOn: '2026-06-01' });

    const refused = await post(t, bank.apiKey, '/api/v1/applications', {
      operation: '2023Q1',
      loanRefs: [running.loanRef, matured.loanRef],
      collateral: [bond('M-1', '1000000.00')],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation_failed');
    expect(refused.body.errors).toEqual([
      { path: 'loanRefs.1', code: 'loan_matured', message: expect.stringContaining('matured on 2023-01-10') },
    ]);
    expect((await get(t, bank.apiKey, '/api/v1/applications')).body.items).toEqual([]);

    const all = await apply(t, bank.apiKey, { operation: '2023Q1', allDisbursedThrough: '2023-02-01' });
    expect(all.loans.map((l: { loanId: string }) => l.loanId)).toEqual([running.id]);
    expect(all.requested).toBe('180000.00'); // 60 % × 300,000.00
  });

  it('when a loan was fully repaid by repayments dated on or before the application date, then it is refused loan_fully_repaid although it runs until 2026; a partly repaid loan supports its outstanding principal on that date', async () => {
    const bank = await createInstitution(t);
    const repaid = await createLoan(t, bank.apiKey, { principal: '500000.00', disbursedOn: '2022-06-01', maturesOn: '2026-06-01' });
    const partly = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2022-06-01', maturesOn: '2026-06-01' });
    const later = await createLoan(t, bank.apiKey, { principal: '400000.00', disbursedOn: '2022-06-01', maturesOn: '2026-06-01' });
    // two repayments: the last one dated on the application date itself, which counts
    await repayLoan(bank.apiKey, repaid.id, '2023-01-15', '300000.00');
    await repayLoan(bank.apiKey, repaid.id, '2023-02-01', '200000.00');
    await repayLoan(bank.apiKey, partly.id, '2023-01-31', '250000.00');
    // a repayment dated after the application date does not lower the principal supported on that date
    // (recorded with the clock on 2023-02-10; the application then stands for one dated 2023-02-01)
    at('2023-02-10');
    await repayLoan(bank.apiKey, later.id, '2023-02-10', '100000.00');
    at('2023-02-01');

    const refused = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q1', loanIds: [repaid.id] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      { path: 'loanIds.0', code: 'loan_fully_repaid', message: expect.stringContaining('no outstanding principal on 2023-02-01') },
    ]);

    const all = await apply(t, bank.apiKey, { operation: '2023Q1', allDisbursedThrough: '2023-02-01' });
    const byLoan = new Map(all.loans.map((l: { loanId: string }) => [l.loanId, l]));
    expect([...byLoan.keys()].sort()).toEqual([partly.id, later.id].sort());
    // 60 % × (750,000.00 + 400,000.00) = 690,000.00, apportioned by eligible principal
    expect(all.requested).toBe('690000.00');
    expect(byLoan.get(partly.id)).toMatchObject({ eligiblePrincipal: '750000.00', requestedSupport: '450000.00' });
    expect(byLoan.get(later.id)).toMatchObject({ eligiblePrincipal: '400000.00', requestedSupport: '240000.00' });
  });
});

describe('pool shortfalls', () => {
  let bankC: { code: string; apiKey: string };
  let trancheC: { id: string };
  let shortfallC: string;

  it('when the bank repays 40 % of one underlying loan, then a pool shortfall of the excess is raised on the repayment’s date, due 30 days later; it grows with the next repayment and is shown overdue after its due date', async () => {
    bankC = await createInstitution(t);
    const l1 = await createLoan(t, bankC.apiKey, { principal: '1000000.00', disbursedOn: '2023-01-05', maturesOn: '2026-01-05' });
    const l2 = await createLoan(t, bankC.apiKey, { principal: '500000.00', disbursedOn: '2023-01-05', maturesOn: '2026-01-05' });
    const { application, tranche } = await supported(bankC.apiKey, '2023Q1', [l1.loanRef, l2.loanRef], '1000000.00');
    expect(tranche).toMatchObject({ principal: '900000.00', startOn: '2023-02-01' }); // 60 % × 1,500,000.00
    trancheC = tranche;
    expect(await shortfallsOf(bankC.apiKey)).toEqual([]);

    // 40 % of L1 repaid: pool 600,000.00 + 500,000.00 = 1,100,000.00; 60 % = 660,000.00; 900,000.00 − 660,000.00 = 240,000.00
    // recorded on 2023-03-01, the repayment is of 2023-02-28: the shortfall is raised on its date, due 30 days later
    at('2023-03-01');
    expect((await repayLoan(bankC.apiKey, l1.id, '2023-02-28', '400000.00')).outstandingPrincipal).toBe('600000.00');
    const [raised] = await shortfallsOf(bankC.apiKey);
    expect(raised).toEqual({
      id: expect.any(String),
      institution: bankC.code,
      applicationId: application.id,
      facilityId: tranche.id,
      raisedOn: '2023-02-28',
      dueOn: '2023-03-30',
      amount: '240000.00',
      trancheOutstanding: '900000.00',
      poolOutstandingEligible: '1100000.00',
      checkedOn: '2023-02-28',
      status: 'open',
      overdue: false,
      clearedOn: null,
    });
    shortfallC = raised.id as string;

    // 100,000.00 of L2: pool 1,000,000.00, 60 % = 600,000.00: the same shortfall grows to 300,000.00, still due on 2023-03-30
    at('2023-03-05');
    await repayLoan(bankC.apiKey, l2.id, '2023-03-05', '100000.00');
    expect(await shortfallsOf(bankC.apiKey)).toEqual([
      expect.objectContaining({
        id: shortfallC,
        raisedOn: '2023-02-28',
        dueOn: '2023-03-30',
        amount: '300000.00',
        poolOutstandingEligible: '1000000.00',
        checkedOn: '2023-03-05',
      }),
    ]);

    at('2023-04-01');
    expect(await shortfallsOf(bankC.apiKey, '?status=open')).toEqual([
      expect.objectContaining({ id: shortfallC, status: 'open', overdue: true }),
    ]);
  });

  it('when an operator opens the overview, then the open shortfall is listed next to the margin calls, marked overdue', async () => {
    const cookies = await signInToPages(t, t.operatorKey);
    const page = await request(t.app).get('/operator?lang=en').set('Cookie', cookies.join('; '));
    expect(page.status).toBe(200);
    const section = page.text.slice(page.text.indexOf('id="h-shortfalls"'));
    expect(section).toContain('Open pool shortfalls');
    const row = /<tr id="shortfall-[^"]+">.*?<\/tr>/s.exec(section)?.[0] ?? '';
    expect(row).toContain(bankC.code);
    expect(row).toContain('2023-03-30');
    expect(row).toContain('overdue');
    expect(row).toContain('300000.00');
  });

  it("when the bank repays the tranche's excess, then the shortfall is lowered, then cleared", async () => {
    // 100,000.00 first: 800,000.00 against 600,000.00 allowed; interest 900,000.00 × 1.75 % × 59 / 360 = 2,581.25
    const part = await post(t, bankC.apiKey, `/api/v1/facilities/${trancheC.id}/repay`, { principal: '100000.00' });
    expect(part.body).toMatchObject({ paidPrincipal: '100000.00', paidInterest: '2581.25' });
    expect(await shortfallsOf(bankC.apiKey, '?status=open')).toEqual([
      expect.objectContaining({ id: shortfallC, amount: '200000.00', trancheOutstanding: '800000.00' }),
    ]);
    const rest = await post(t, bankC.apiKey, `/api/v1/facilities/${trancheC.id}/repay`, { principal: '200000.00' });
    expect(rest.body).toMatchObject({ paidPrincipal: '200000.00', paidInterest: '0.00', facility: { outstanding: '600000.00' } });
    expect(await shortfallsOf(bankC.apiKey, '?status=open')).toEqual([]);
    expect(await shortfallsOf(bankC.apiKey, '?status=cleared')).toEqual([
      expect.objectContaining({ id: shortfallC, status: 'cleared', clearedOn: '2023-04-01', amount: '0.00', overdue: false }),
    ]);
  });

  it('when a loan reaches its maturity date, then the daily scan raises a shortfall that day (not the day before), once', async () => {
    at('2023-04-03');
    const bank = await createInstitution(t);
    const maturing = await createLoan(t, bank.apiKey, { principal: '400000.00', disbursedOn: '2023-03-01', maturesOn: '2023-06-30' });
    const running = await createLoan(t, bank.apiKey, { principal: '600000.00', disbursedOn: '2023-03-01', maturesOn: '2026-03-01' });
    const { tranche } = await supported(bank.apiKey, '2023Q2', [maturing.loanRef, running.loanRef], '700000.00');
    expect(tranche.principal).toBe('600000.00');

    at('2023-06-30');
    const dayBefore = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2023-06-29' });
    expect(dayBefore.body).toMatchObject({ poolShortfallsRaised: 0, poolShortfallsGrown: 0 });
    expect(await shortfallsOf(bank.apiKey)).toEqual([]);
    // the loan leaves the pool on its maturity date: 600,000.00 − 60 % × 600,000.00 = 240,000.00
    const onDay = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2023-06-30' });
    expect(onDay.body).toMatchObject({ on: '2023-06-30', poolShortfallsRaised: 1, poolShortfallsGrown: 0 });
    expect(await shortfallsOf(bank.apiKey)).toEqual([
      expect.objectContaining({
        facilityId: tranche.id,
        raisedOn: '2023-06-30',
        dueOn: '2023-07-30',
        amount: '240000.00',
        trancheOutstanding: '600000.00',
        poolOutstandingEligible: '600000.00',
        status: 'open',
      }),
    ]);
    const again = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2023-06-30' });
    expect(again.body).toMatchObject({ poolShortfallsRaised: 0, poolShortfallsGrown: 0 });
    expect(await shortfallsOf(bank.apiKey)).toHaveLength(1);

    const excess = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '240000.00' });
    expect(excess.status).toBe(200);
    expect(await shortfallsOf(bank.apiKey)).toEqual([expect.objectContaining({ status: 'cleared', clearedOn: '2023-06-30' })]);
  });

  it('when a tranche rolls over after one of its loans matured, then it rolls over at most 60 % of the loans still running, and its open shortfall is cleared', async () => {
    const bank = await createInstitution(t);
    const early = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-06-01', maturesOn: '2024-03-31' });
    const late = await createLoan(t, bank.apiKey, { principal: '500000.00', disbursedOn: '2023-06-01', maturesOn: '2026-06-01' });
    const { tranche } = await supported(bank.apiKey, '2023Q2', [early.loanRef, late.loanRef], '1000000.00');
    expect(tranche).toMatchObject({ principal: '900000.00', maturesOn: '2024-06-30' });

    at('2024-06-30');
    // the bank never recorded a repayment of the early loan: it leaves the pool by its maturity alone
    const scan = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2024-06-30' });
    expect(scan.body).toMatchObject({ matured: expect.any(Number), poolShortfallsRaised: 1 });
    expect(await shortfallsOf(bank.apiKey, '?status=open')).toEqual([
      expect.objectContaining({ facilityId: tranche.id, amount: '600000.00', poolOutstandingEligible: '500000.00' }),
    ]);

    // cap 60 % × 500,000.00 = 300,000.00; 600,000.00 repaid; interest 900,000.00 × 1.75 % × 366 / 360 = 16,012.50
    const rolled = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(rolled.status).toBe(201);
    expect(rolled.body).toMatchObject({ cap: '300000.00', excessRepaid: '600000.00', interestPaid: '16012.50' });
    expect(rolled.body.facility).toMatchObject({ principal: '300000.00', rolloverCount: 1, startOn: '2024-06-30' });
    expect(await shortfallsOf(bank.apiKey, '?status=open')).toEqual([]);
    expect(await shortfallsOf(bank.apiKey, '?status=cleared')).toEqual([
      expect.objectContaining({ facilityId: tranche.id, clearedOn: '2024-06-30' }),
    ]);
    expect((await verifyJournal(t)).intact).toBe(true);
  });
  it('when a supported loan is amended to mature today, then it leaves the pool and a shortfall is raised at once', async () => {
    await openOperation(t, '2024Q2', '100000000.00');
    const bank = await createInstitution(t);
    const kept = await createLoan(t, bank.apiKey, { principal: '600000.00', disbursedOn: '2024-05-01', maturesOn: '2027-05-01' });
    const body = loanRequest({ principal: '400000.00', disbursedOn: '2024-05-01', maturesOn: '2027-05-01' });
    const amended = (await post(t, bank.apiKey, '/api/v1/loans', body)).body as { id: string };
    const { tranche } = await supported(bank.apiKey, '2024Q2', [kept.loanRef, body.loanRef], '700000.00');
    expect(tranche.principal).toBe('600000.00');

    const amendment = await post(t, bank.apiKey, `/api/v1/loans/${amended.id}/amendments`, {
      reason: 'the borrower repays at an earlier maturity',
      loan: { ...body, maturesOn: '2024-06-30' },
    });
    expect(amendment.status).toBe(201);
    // 600,000.00 − 60 % × 600,000.00 = 240,000.00
    expect(await shortfallsOf(bank.apiKey, '?status=open')).toEqual([
      expect.objectContaining({
        facilityId: tranche.id,
        raisedOn: '2024-06-30',
        amount: '240000.00',
        poolOutstandingEligible: '600000.00',
      }),
    ]);
  });
});

describe('who sees pool shortfalls, and bad input', () => {
  it('when banks list pool shortfalls, then each sees only its own; operators see every bank, page by page', async () => {
    const other = await createInstitution(t);
    expect(await shortfallsOf(other.apiKey)).toEqual([]);
    const all = await shortfallsOf(t.operatorKey, '?limit=1000');
    expect(all).toHaveLength(4);
    expect(new Set(all.map((s) => s.institution)).size).toBe(4);
    expect(all.map((s) => s.raisedOn)).toEqual(['2023-02-28', '2023-06-30', '2024-06-30', '2024-06-30']);

    const first = await get(t, t.operatorKey, '/api/v1/pool-shortfalls?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await get(t, t.operatorKey, `/api/v1/pool-shortfalls?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((s: { raisedOn: string }) => s.raisedOn)).toEqual(['2024-06-30', '2024-06-30']);
    expect(second.body.nextCursor).toBeNull();

    const verifier = await createInstitution(t, { kind: 'verifier' });
    expect((await get(t, verifier.apiKey, '/api/v1/pool-shortfalls')).status).toBe(403);
    expect((await request(t.app).get('/api/v1/pool-shortfalls')).status).toBe(401);
  });

  it('when the list is asked with a bad status, limit or cursor, then 422 names the field and the rule', async () => {
    const status = await get(t, t.operatorKey, '/api/v1/pool-shortfalls?status=late');
    expect(status.status).toBe(422);
    expect(status.type).toBe('application/problem+json');
    expect(status.body.errors).toEqual([expect.objectContaining({ path: 'status', code: 'invalid_value' })]);
    const limit = await get(t, t.operatorKey, '/api/v1/pool-shortfalls?limit=0');
    expect(limit.body.errors).toEqual([expect.objectContaining({ path: 'limit', code: 'too_small' })]);
    const cursor = await get(t, t.operatorKey, '/api/v1/pool-shortfalls?cursor=not-a-cursor');
    expect(cursor.status).toBe(422);
    expect(cursor.body.errors).toEqual([expect.objectContaining({ path: 'cursor', code: 'invalid_cursor' })]);
  });
});
