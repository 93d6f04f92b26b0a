import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  checker = await createUser(t, 'PBOC', 'checker');
  await openOperation(t, '2023Q2', '100000000.00');
});
afterAll(async () => t.close());

describe('collateral and margin calls', () => {
  it('when the collateral does not cover the amount, then the disbursement is refused until more is pledged', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    // a high-grade loan pledge of 800,000.00 at a 30 % haircut is worth 560,000.00 < 600,000.00
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('HGL-1', '800000.00', 'high_grade_loan')],
    });
    expect(application).toMatchObject({ eligibleCollateral: '560000.00', collateralCoversApproval: false });
    await approve(t, t.operatorKey, application.id);
    const refused = await post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`);
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'collateral_insufficient', eligibleCollateralFen: '56000000', requiredFen: '60000000' },
    });
    expect((await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body.status).toBe('approved');

    // 40,000.00 of policy-bank bonds at 2 % haircut add 39,200.00: 599,200.00 still short; 41,000.00 more at 0 % covers it
    const more = await post(t, bank.apiKey, `/api/v1/applications/${application.id}/collateral`, {
      collateral: [bond('PBB-1', '40000.00', 'policy_bank_bond'), bond('CGB-9', '1000.00')],
    });
    expect(more.status).toBe(201);
    expect(more.body).toMatchObject({ eligibleCollateral: '600200.00', collateralCoversApproval: true });
    const dup = await post(t, bank.apiKey, `/api/v1/applications/${application.id}/collateral`, { collateral: [bond('CGB-9', '1.00')] });
    expect(dup.body.errors[0]).toMatchObject({ path: 'collateral.0.ref', code: 'duplicate_collateral' });
    expect((await disburse(t, checker.apiKey, application.id)).principal).toBe('600000.00');
  });

  it('when a revaluation takes coverage below 100 %, then a margin call is raised for bank and operator, and cleared when covered again', async () => {
    const bank = await createInstitution(t);
    const other = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CGB-A', '610000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const tranche = await disburse(t, checker.apiKey, application.id);
    const [instrument] = (await get(t, bank.apiKey, `/api/v1/applications/${application.id}`)).body.collateral;

    // 100 days later: interest 600,000 × 1.75 % × 100 / 360 = 2,916.666… → 2,916.67; exposure 602,916.67
    t.setNow('2023-09-09T04:00:00Z');
    const down = await post(t, t.operatorKey, `/api/v1/collateral/${instrument.id}/revaluations`, { marketValue: '601000.00' });
    expect(down.status).toBe(201);
    expect(down.body.coverage).toMatchObject({
      eligibleCollateral: '601000.00',
      exposure: '602916.67',
      shortfall: '1916.67',
      covered: false,
      coveragePercent: '99.68',
    });
    const seenByBank = await get(t, bank.apiKey, '/api/v1/margin-calls?status=open');
    expect(seenByBank.body.items).toEqual([
      expect.objectContaining({ applicationId: application.id, raisedOn: '2023-09-09', shortfall: '1916.67', status: 'open' }),
    ]);
    const seenByOperator = await get(t, t.operatorKey, '/api/v1/margin-calls?status=open');
    expect(seenByOperator.body.items.map((c: { applicationId: string }) => c.applicationId)).toContain(application.id);
    expect((await get(t, other.apiKey, '/api/v1/margin-calls')).body.items).toEqual([]);

    // a partial repayment of 10,000.00 (with the interest) brings exposure to 590,000.00: covered, the call clears
    const repaid = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '10000.00' });
    expect(repaid.body).toMatchObject({ paidPrincipal: '10000.00', paidInterest: '2916.67' });
    const cleared = await get(t, bank.apiKey, '/api/v1/margin-calls');
    expect(cleared.body.items).toEqual([expect.objectContaining({ status: 'cleared', clearedOn: '2023-09-09' })]);
    t.setNow('2023-06-01T04:00:00Z');
  });
});

describe('rollover with repaid loans, overdue tranches', () => {
  it('when the underlying loan was half repaid, then the rollover keeps 60 % of what is outstanding and the excess is repaid with the interest', async () => {
    t.setNow('2023-06-01T04:00:00Z');
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CGB-R', '700000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const tranche = await disburse(t, checker.apiKey, application.id);
    t.setNow('2024-05-01T04:00:00Z');
    expect(
      (await post(t, bank.apiKey, `/api/v1/loans/${loan.id}/repayments`, { repaidOn: '2024-05-01', amount: '500000.00' })).status,
    ).toBe(201);
    const early = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(early).toMatchObject({ status: 409, body: { code: 'rollover_not_due' } });

    t.setNow('2024-06-01T04:00:00Z');
    const rolled = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(rolled.status).toBe(201);
    // cap 60 % × 500,000.00 = 300,000.00; excess 300,000.00; interest 366 days on 600,000.00 = 10,675.00
    expect(rolled.body).toMatchObject({ cap: '300000.00', excessRepaid: '300000.00', interestPaid: '10675.00' });
    expect(rolled.body.facility).toMatchObject({ principal: '300000.00', outstanding: '300000.00', rolloverCount: 1 });
    const entries = await get(t, bank.apiKey, '/api/v1/journal?limit=2');
    expect(entries.body.items.map((e: { kind: string }) => e.kind)).toEqual(['rollover', 'repayment']);
    expect(entries.body.items[1].lines).toEqual([
      expect.objectContaining({ debit: '310675.00', credit: '0.00' }),
      expect.objectContaining({ account: expect.stringContaining('relending_receivable'), credit: '300000.00' }),
      expect.objectContaining({ account: expect.stringContaining('interest_receivable'), credit: '10675.00' }),
    ]);
  });

  it('when a tranche passes its maturity unpaid, then it reads matured on the day and overdue after, before and after the scan stores it; it can no longer roll over but can be repaid', async () => {
    t.setNow('2023-06-01T04:00:00Z');
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CGB-O', '70000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const tranche = await disburse(t, checker.apiKey, application.id);
    t.setNow('2024-06-01T04:00:00Z');
    const future = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2024-06-02' });
    expect(future.body.errors[0]).toMatchObject({ path: 'on', code: 'date_in_future' });
    // the status comes from the dates: matured on the maturity date, before any scan
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${tranche.id}`)).body.status).toBe('matured');
    const onDay = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2024-06-01' });
    expect(onDay.body.matured).toBeGreaterThanOrEqual(1);
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${tranche.id}`)).body.status).toBe('matured');
    t.setNow('2024-06-02T04:00:00Z');
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${tranche.id}`)).body.status).toBe('overdue');
    const after = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2024-06-02' });
    expect(after.body.overdue).toBeGreaterThanOrEqual(1);
    const again = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: '2024-06-02' });
    expect(again.body).toMatchObject({ matured: 0, overdue: 0 });
    const overdue = await get(t, t.operatorKey, '/api/v1/facilities?status=overdue');
    expect(overdue.body.items.map((f: { id: string }) => f.id)).toContain(tranche.id);
    const roll = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(roll).toMatchObject({ status: 409, body: { code: 'facility_overdue' } });
    // 60,000.00 × 1.75 % × 367 / 360 = 1,070.416… → 1,070.42
    const repaid = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '60000.00' });
    expect(repaid.body).toMatchObject({ paidPrincipal: '60000.00', paidInterest: '1070.42', facility: { status: 'repaid' } });
    const tooMuch = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '1.00' });
    expect(tooMuch).toMatchObject({ status: 409, body: { code: 'facility_not_live' } });
    expect((await verifyJournal(t)).intact).toBe(true);
  });
});
