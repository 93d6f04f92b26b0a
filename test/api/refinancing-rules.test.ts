import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import { acceptLoan, apply, approve, bond, createLoan, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { accrueInterest, scanMaturities } from '../../app/refinancing/scans.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  checker = await createUser(t, 'PBOC', 'checker');
  await openOperation(t, '2023Q2', '10000000.00');
});
afterAll(async () => t.close());

async function count(table: string): Promise<number> {
  const r = await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`));
  return ((r as unknown as { rows: { n: number }[] }).rows ?? (r as unknown as { n: number }[]))[0].n;
}
const writes = async () => ({
  applications: await count('applications'),
  loans: await count('application_loans'),
  collateral: await count('collateral'),
  facilities: await count('facilities'),
  journal: await count('journal_entries'),
});

describe('operations', () => {
  it('when 2026 operations would pass the annual cap of 8,000 亿元, then the opening is refused and nothing is written', async () => {
    await openOperation(t, '2026Q1', '500000000000.00');
    await openOperation(t, '2026Q2', '300000000000.00');
    const over = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2026Q3', volume: '0.01' });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('annual_cap_exceeded');
    expect((await get(t, t.operatorKey, '/api/v1/operations/2026Q3')).status).toBe(404);
    const twice = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2026Q1', volume: '1.00' });
    expect(twice.body.code).toBe('operation_exists');
    const bad = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2026Q5', volume: '1.001' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`).sort()).toEqual([
      'quarter:invalid_quarter',
      'volume:invalid_money',
    ]);
  });

  it('when a bank tries to open an operation, then 403', async () => {
    const bank = await createInstitution(t);
    expect((await post(t, bank.apiKey, '/api/v1/operations', { quarter: '2024Q1', volume: '1.00' })).status).toBe(403);
  });
});

describe('application rules', () => {
  it('when a listed loan fails a rule, then the application is refused naming each loan and rule, and writes nothing', async () => {
    const bank = await createInstitution(t);
    const good = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const flagged = await createLoan(t, bank.apiKey, {
      principal: '1000000.00',
      annualRatePercent: '6.20',
      disbursedOn: '2023-05-15',
      maturesOn: '2026-05-15',
    });
    const before = await writes();
    const res = await post(t, bank.apiKey, '/api/v1/applications', {
      operation: '2023Q2',
      loanRefs: [good.loanRef, flagged.loanRef, 'NO-SUCH-LOAN', good.loanRef],
      collateral: [bond('B1', '1000000.00')],
    });
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'loanRefs.1', code: 'loan_not_eligible' }),
      expect.objectContaining({ path: 'loanRefs.2', code: 'loan_not_found' }),
      expect.objectContaining({ path: 'loanRefs.3', code: 'duplicate_loan' }),
    ]);
    expect(await writes()).toEqual(before);

    // once an operator accepts the flagged loan with a reason, both qualify: 60 % × 2,000,000.00
    expect((await acceptLoan(t, flagged.id, { reason: 'provincial programme rate' })).eligibility).toBe('accepted');
    const ok = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [good.loanRef, flagged.loanRef] });
    expect(ok.requested).toBe('1200000.00');

    // the same loans cannot be listed again while the application is live …
    const again = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q2', loanIds: [good.id] });
    expect(again.body.errors).toEqual([expect.objectContaining({ path: 'loanIds.0', code: 'loan_already_applied_for' })]);
    await approve(t, t.operatorKey, ok.id, '600000.00');
    const approved = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q2', loanIds: [good.id] });
    expect(approved.body.errors).toEqual([expect.objectContaining({ path: 'loanIds.0', code: 'loan_already_supported' })]);
  });

  it('when an application is rejected, then its loans may be listed again', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '500000.00', disbursedOn: '2023-05-20', maturesOn: '2025-05-20' });
    const first = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [loan.loanRef] });
    const rejected = await post(t, t.operatorKey, `/api/v1/applications/${first.id}/reject`, { reason: 'evidence missing' });
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'evidence missing' });
    const second = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [loan.loanRef] });
    expect(second.requested).toBe('300000.00');
    const decideTwice = await post(t, t.operatorKey, `/api/v1/applications/${first.id}/approve`, { reason: 'x' });
    expect(decideTwice.status).toBe(409);
    expect(decideTwice.body).toMatchObject({ code: 'application_not_submitted', currentStatus: 'rejected' });
  });

  it('when a bank asks for all its loans up to a date, then only eligible, disbursed, unsupported loans up to that date are listed', async () => {
    const bank = await createInstitution(t);
    const early = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-04-01', maturesOn: '2025-04-01' });
    const late = await createLoan(t, bank.apiKey, { principal: '200000.00', disbursedOn: '2023-05-25', maturesOn: '2025-05-25' });
    await createLoan(t, bank.apiKey, {
      principal: '300000.00',
      annualRatePercent: '6.20',
      disbursedOn: '2023-04-02',
      maturesOn: '2025-04-02',
    });
    const res = await apply(t, bank.apiKey, { operation: '2023Q2', allDisbursedThrough: '2023-05-01' });
    expect(res.loans.map((l: { loanId: string }) => l.loanId)).toEqual([early.id]);
    expect(res.requested).toBe('60000.00');
    const rest = await apply(t, bank.apiKey, { operation: '2023Q2', allDisbursedThrough: '2023-06-01' });
    expect(rest.loans.map((l: { loanId: string }) => l.loanId)).toEqual([late.id]);
    const none = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q2', allDisbursedThrough: '2023-06-01' });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('no_loans');
  });

  it('when the operation is missing, closed, or the loan selection is ambiguous, then the rule is named', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-01', maturesOn: '2025-05-01' });
    const missing = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q3', loanRefs: [loan.loanRef] });
    expect(missing).toMatchObject({ status: 404, body: { code: 'operation_not_found' } });
    const notOpenYet = await post(t, bank.apiKey, '/api/v1/applications', { operation: '2026Q1', loanRefs: [loan.loanRef] });
    expect(notOpenYet).toMatchObject({ status: 409, body: { code: 'operation_not_open' } });
    const both = await post(t, bank.apiKey, '/api/v1/applications', {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      allDisbursedThrough: '2023-05-01',
    });
    expect(both.status).toBe(422);
    expect(both.body.errors[0]).toMatchObject({ path: 'loans', code: 'loan_selection_required' });
    const badCollateral = await post(t, bank.apiKey, '/api/v1/applications', {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('X', '1.00', 'junk_bond')],
    });
    expect(badCollateral.body.errors[0].path).toBe('collateral.0.type');
  });

  it('when another bank asks for an application, then 404; a verifier key cannot list applications', async () => {
    const bank = await createInstitution(t);
    const other = await createInstitution(t);
    const verifier = await createInstitution(t, { kind: 'verifier' });
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-01', maturesOn: '2025-05-01' });
    const mine = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [loan.loanRef] });
    expect((await get(t, other.apiKey, `/api/v1/applications/${mine.id}`)).status).toBe(404);
    expect((await get(t, bank.apiKey, `/api/v1/applications/${mine.id}`)).status).toBe(200);
    expect((await get(t, verifier.apiKey, '/api/v1/applications')).status).toBe(403);
    const list = await get(t, other.apiKey, '/api/v1/applications');
    expect(list.body.items).toEqual([]);
  });
});

describe('decisions', () => {
  it('when a quarter is over-subscribed, then allocation is pro rata by request, rounded down, the spare fen to the earliest largest remainder; each share covers whole loans in listed order and the volume is never exceeded', async () => {
    await openOperation(t, '2023Q1', '1000000.01');
    t.setNow('2023-03-15T04:00:00Z');
    const banks = [await createInstitution(t), await createInstitution(t), await createInstitution(t)];
    // requests 600,000.00 / 600,000.00 / 300,000.00; each bank lists its loans in the order given here
    const listed = [
      ['400000.00', '600000.00'], // supports 240,000.00 then 360,000.00
      ['600000.00', '400000.00'], // supports 360,000.00 then 240,000.00
      ['500000.00'], // support 300,000.00
    ];
    const ids: string[] = [];
    for (const [i, bank] of banks.entries()) {
      const refs: string[] = [];
      // created in reverse, so the listed order is not the order of the references
      for (const principal of [...listed[i]].reverse())
        refs.unshift((await createLoan(t, bank.apiKey, { principal, disbursedOn: '2023-03-01', maturesOn: '2025-03-01' })).loanRef);
      ids.push((await apply(t, bank.apiKey, { operation: '2023Q1', loanRefs: refs })).id);
    }
    const res = await post(t, t.operatorKey, '/api/v1/operations/2023Q1/allocate');
    expect(res.status).toBe(200);
    // 100,000,001 fen × 6/15 = 40,000,000.4 (twice) and × 3/15 = 20,000,000.2; floors sum to 100,000,000; the spare fen goes to the first
    expect(res.body).toMatchObject({ oversubscribed: true, rule: 'pro_rata_by_request', remainingBefore: '1000000.01' });
    // whole loans: 400,000.01 covers the first loan (240,000.00), not the second; 400,000.00 covers the first (360,000.00);
    // 200,000.00 covers no loan of the third, which is rejected as allocated nothing
    expect(
      res.body.applications.map((a: { id: string; allocated: string; approved: string | null; status: string }) => [
        a.id,
        a.allocated,
        a.approved,
        a.status,
      ]),
    ).toEqual([
      [ids[0], '400000.01', '240000.00', 'approved'],
      [ids[1], '400000.00', '360000.00', 'approved'],
      [ids[2], '200000.00', null, 'rejected'],
    ]);
    const first = (await get(t, t.operatorKey, `/api/v1/applications/${ids[0]}`)).body;
    expect(first.loans.filter((l: { covered: boolean }) => l.covered).map((l: { requestedSupport: string }) => l.requestedSupport)).toEqual(
      ['240000.00'],
    );
    const operation = await get(t, t.operatorKey, '/api/v1/operations/2023Q1');
    expect(operation.body).toMatchObject({
      volume: '1000000.01',
      approved: '600000.00',
      remaining: '400000.01',
      awaitingDecision: { count: 0 },
    });

    // one more application cannot be approved beyond the volume
    const late = await createInstitution(t);
    const loan = await createLoan(t, late.apiKey, { principal: '700000.00', disbursedOn: '2023-03-01', maturesOn: '2025-03-01' });
    const extra = await apply(t, late.apiKey, { operation: '2023Q1', loanRefs: [loan.loanRef] });
    const refused = await post(t, t.operatorKey, `/api/v1/applications/${extra.id}/approve`, { reason: 'fine' });
    expect(refused).toMatchObject({ status: 409, body: { code: 'operation_volume_exceeded', remainingFen: '40000001' } });
    const tooMuch = await post(t, t.operatorKey, `/api/v1/applications/${extra.id}/approve`, { reason: 'fine', amount: '420000.01' });
    expect(tooMuch.body.errors[0]).toMatchObject({ path: 'amount', code: 'approval_exceeds_request' });
    t.setNow('2023-06-01T04:00:00Z');
  });

  it('when the approver books the disbursement, then it is refused (maker–checker) and nothing is written; another operator may', async () => {
    const bank = await createInstitution(t);
    // 60 % of 833,333.34 = 500,000.004 → a request of 500,000.00 (a partial approval covers whole loans only)
    const loan = await createLoan(t, bank.apiKey, { principal: '833333.34', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('MC-1', '600000.00')],
    });
    await approve(t, t.operatorKey, application.id, '500000.00');
    const before = await writes();
    const same = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/disburse`);
    expect(same).toMatchObject({ status: 403, body: { code: 'maker_checker_violation' } });
    expect(await writes()).toEqual(before);
    const byBank = await post(t, bank.apiKey, `/api/v1/applications/${application.id}/disburse`);
    expect(byBank.status).toBe(403);
    const other = await post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`).set('Idempotency-Key', 'disburse-mc-1');
    expect(other.status).toBe(201);
    expect(other.body).toMatchObject({ principal: '500000.00', ratePercent: '1.75', maturesOn: '2024-06-01' });
    const replay = await post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`).set('Idempotency-Key', 'disburse-mc-1');
    expect(replay.body.id).toBe(other.body.id);
    const twice = await post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`);
    expect(twice.body).toMatchObject({ code: 'application_not_approved', currentStatus: 'disbursed' });
    expect((await verifyJournal(t)).intact).toBe(true);
  });
});

describe('plain functions for the jobs', () => {
  it('when accrueInterest and scanMaturities are called with the database, then they book once per tranche and day', async () => {
    // the one disbursed tranche here: 500,000.00 from 2023-06-01; two days: 500,000 × 1.75 % × 2 / 360 = 48.611… → 48.61
    const first = await accrueInterest(t.database.db, { through: '2023-06-03' });
    expect(first).toMatchObject({ tranches: 1, totalFen: 4861n, entries: 1 });
    expect(await accrueInterest(t.database.db, { through: '2023-06-03' })).toMatchObject({ tranches: 0, totalFen: 0n, entries: 0 });
    expect(await scanMaturities(t.database.db, { on: '2023-06-03' })).toMatchObject({ matured: 0, overdue: 0 });
    expect((await verifyJournal(t)).intact).toBe(true);
    // the app's calendar is still 2023-06-01: settling today would pay the booked days twice, so it is refused
    const [tranche] = (await get(t, t.operatorKey, '/api/v1/facilities?status=active')).body.items;
    const early = await post(t, t.operatorKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '1.00' });
    expect(early).toMatchObject({ status: 409, body: { code: 'interest_booked_ahead', accruedThrough: '2023-06-03' } });
  });
});

describe('edges', () => {
  it('when collateral has no face value, then the field and rule are named and nothing is written', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-01', maturesOn: '2025-05-01' });
    const before = await writes();
    const res = await post(t, bank.apiKey, '/api/v1/applications', {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('Z', '0.00')],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ path: 'collateral.0.faceValue', code: 'face_value_not_positive' });
    expect(await writes()).toEqual(before);
  });

  it('when a bank verifies the journal, then the whole chain is checked but only its own sums are shown', async () => {
    const bank = await createInstitution(t);
    const res = await get(t, bank.apiKey, '/api/v1/journal/verify');
    expect(res.body.intact).toBe(true);
    expect(res.body.institutions).toEqual([]);
    expect((await verifyJournal(t)).institutions.length).toBeGreaterThan(0);
  });

  it('when /openapi.json is fetched, then the refinancing and journal routes are described', async () => {
    const res = await get(t, t.operatorKey, '/openapi.json');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/operations',
        '/api/v1/applications/{id}/disburse',
        '/api/v1/facilities/{id}/rollover',
        '/api/v1/facilities/statement',
        '/api/v1/margin-calls',
        '/api/v1/journal/verify',
      ]),
    );
  });
});
