/**
 * Adversarial review of the refinancing ledger (issue 3): malformed input, concurrency, state machine
 * refusals that write nothing, money exactness and journal tamper detection — all through the API on
 * the real database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../schemas/common.js';
import { createInstitution, createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, verifyJournal } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };
let checker2: { apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  checker = await createUser(t, 'PBOC', 'checker');
  checker2 = await createUser(t, 'PBOC', 'second checker');
  await openOperation(t, '2023Q2', '100000000.00');
});
afterAll(async () => t.close());

async function count(table: string, where = 'true'): Promise<number> {
  const r = await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table} where ${where}`));
  return ((r as unknown as { rows: { n: number }[] }).rows ?? (r as unknown as { n: number }[]))[0].n;
}
const writes = async () => ({
  applications: await count('applications'),
  applicationStatuses: await count('applications', "status in ('approved','disbursed')"),
  loans: await count('application_loans', 'active = 1'),
  collateral: await count('collateral', "status = 'pledged'"),
  facilities: await count('facilities'),
  liveFacilities: await count('facilities', "status in ('active','matured','overdue')"),
  marginCalls: await count('margin_calls'),
  journal: await count('journal_entries'),
  lines: await count('journal_lines'),
});

/** A bank with one disbursed tranche of 60 % of `principal`, collateral `collateralValue` in one or more bonds. */
async function disbursedTranche(
  principal = '1000000.00',
  collateral = [bond(`CGB-${Math.random().toString(36).slice(2, 8)}`, '700000.00')],
) {
  const bank = await createInstitution(t);
  const loan = await createLoan(t, bank.apiKey, { principal, disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
  const application = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [loan.loanRef], collateral });
  await approve(t, t.operatorKey, application.id);
  const tranche = await disburse(t, checker.apiKey, application.id);
  return { bank, loan, application, tranche };
}

describe('malformed and foreign ids', () => {
  // 36 characters that pass a loose [0-9a-f-]{36} check but are not UUIDs PostgreSQL accepts
  const notUuids = ['a'.repeat(36), '-'.repeat(36), '12345678-1234-1234-1234-1234567890ab-'.slice(0, 35) + 'x', 'not-an-id', '0'];

  it('when a path id is not a UUID, then every route answers 404, never 500', async () => {
    const bank = await createInstitution(t);
    for (const id of notUuids) {
      const enc = encodeURIComponent(id);
      const answers = [
        await get(t, t.operatorKey, `/api/v1/applications/${enc}`),
        await post(t, t.operatorKey, `/api/v1/applications/${enc}/approve`, { reason: 'x' }),
        await post(t, t.operatorKey, `/api/v1/applications/${enc}/reject`, { reason: 'x' }),
        await post(t, t.operatorKey, `/api/v1/applications/${enc}/disburse`),
        await post(t, bank.apiKey, `/api/v1/applications/${enc}/collateral`, { collateral: [bond('X', '1.00')] }),
        await get(t, t.operatorKey, `/api/v1/facilities/${enc}`),
        await post(t, bank.apiKey, `/api/v1/facilities/${enc}/repay`, { principal: '1.00' }),
        await post(t, bank.apiKey, `/api/v1/facilities/${enc}/rollover`),
        await get(t, t.operatorKey, `/api/v1/collateral/${enc}`),
        await post(t, t.operatorKey, `/api/v1/collateral/${enc}/revaluations`, { marketValue: '1.00' }),
        await get(t, t.operatorKey, `/api/v1/journal/entries/${enc}`),
        await post(t, t.operatorKey, `/api/v1/journal/entries/${enc}/reverse`, { reason: 'x' }),
      ];
      expect(answers.map((a) => `${id} ${(a as unknown as { req: { path: string } }).req.path} ${a.status} ${a.body.code}`)).toEqual(
        answers.map((a) => `${id} ${(a as unknown as { req: { path: string } }).req.path} 404 not_found`),
      );
    }
  });

  it("when a bank uses another bank's application, tranche, collateral or journal entry id, then 404 and nothing is written", async () => {
    const { application, tranche } = await disbursedTranche();
    const other = await createInstitution(t);
    const [instrument] = (await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body.collateral;
    const [entry] = (await get(t, t.operatorKey, '/api/v1/journal?kind=disbursement&limit=1')).body.items;
    const before = await writes();
    const answers = [
      await get(t, other.apiKey, `/api/v1/applications/${application.id}`),
      await post(t, other.apiKey, `/api/v1/applications/${application.id}/collateral`, { collateral: [bond('STEAL', '1.00')] }),
      await get(t, other.apiKey, `/api/v1/facilities/${tranche.id}`),
      await post(t, other.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '1.00' }),
      await post(t, other.apiKey, `/api/v1/facilities/${tranche.id}/rollover`),
      await get(t, other.apiKey, `/api/v1/collateral/${instrument.id}`),
      await get(t, other.apiKey, `/api/v1/journal/entries/${entry.id}`),
    ];
    expect(answers.map((a) => `${(a as unknown as { req: { path: string } }).req.path} ${a.status}`)).toEqual(
      answers.map((a) => `${(a as unknown as { req: { path: string } }).req.path} 404`),
    );
    expect(await writes()).toEqual(before);
  });

  it('when a list cursor is forged, then the list answers 422 naming the cursor, never 500', async () => {
    const forged = [
      encodeCursor(['garbage', 'garbage']),
      encodeCursor(['2023-06-01', 'a'.repeat(36)]),
      encodeCursor(['9'.repeat(25)]),
      encodeCursor([{ a: 1 }, null]),
    ];
    for (const cursor of forged) {
      for (const path of ['/api/v1/applications', '/api/v1/facilities', '/api/v1/margin-calls', '/api/v1/journal', '/api/v1/operations']) {
        const res = await get(t, t.operatorKey, `${path}?cursor=${encodeURIComponent(cursor)}`);
        expect(`${path} ${cursor} ${res.status}`).not.toMatch(/ 500$/);
        if (res.status !== 200)
          expect(res.body).toMatchObject({ status: 422, errors: [expect.objectContaining({ path: 'cursor', code: 'invalid_cursor' })] });
      }
    }
  });
});

describe('pagination', () => {
  it('when applications are paged one at a time, then every application appears exactly once', async () => {
    const bank = await createInstitution(t);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const loan = await createLoan(t, bank.apiKey, { principal: '10000.00', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
      ids.push((await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [loan.loanRef] })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(t, bank.apiKey, `/api/v1/applications?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(ids);
  });
});

describe('money input', () => {
  it('when an amount has three decimals, is negative, zero or beyond the schema, then 422 names the field and nothing is written', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('M-1', '60000.00')],
    });
    const before = await writes();
    for (const amount of ['1.001', '-1.00', '1e5', '1000000000000000.00', ' 1.00', '1,000.00', '']) {
      const res = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, { reason: 'r', amount });
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ path: 'amount', code: 'invalid_money' });
      const vol = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2024Q1', volume: amount });
      expect(vol.status).toBe(422);
      expect(vol.body.errors[0]).toMatchObject({ path: 'volume', code: 'invalid_money' });
    }
    const zero = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, { reason: 'r', amount: '0.00' });
    expect(zero).toMatchObject({
      status: 422,
      body: { errors: [expect.objectContaining({ path: 'amount', code: 'amount_not_positive' })] },
    });
    const zeroVolume = await post(t, t.operatorKey, '/api/v1/operations', { quarter: '2024Q1', volume: '0.00' });
    expect(zeroVolume).toMatchObject({ status: 422, body: { code: 'volume_not_positive' } });
    const numeric = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, { reason: 'r', amount: 100 });
    expect(numeric.status).toBe(422);
    expect(await writes()).toEqual(before);
  });

  it('when the largest volume the schema allows is opened in a year without a cap, then the figures stay exact', async () => {
    await openOperation(t, '2022Q1', '999999999999999.99');
    const second = await openOperation(t, '2022Q2', '999999999999999.99');
    expect(second).toMatchObject({ volume: '999999999999999.99', remaining: '999999999999999.99' });
  });

  it('when two loans of 100,000.01 are listed, then support is 60 % of the total rounded half up once, and the parts sum to it', async () => {
    const bank = await createInstitution(t);
    const a = await createLoan(t, bank.apiKey, { principal: '100000.01', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
    const b = await createLoan(t, bank.apiKey, { principal: '100000.01', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
    const application = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [a.loanRef, b.loanRef] });
    // 20,000,002 fen × 60 % = 12,000,001.2 → 12,000,001 (rounding each loan first would give 6,000,001 × 2 = 12,000,002)
    expect(application.requested).toBe('120000.01');
    // apportioned 6,000,000.6 each: floors 6,000,000, the spare fen to the first listed
    expect(application.loans.map((l: { requestedSupport: string }) => l.requestedSupport).sort()).toEqual(['60000.00', '60000.01']);
  });
});

describe('state machine refusals write nothing', () => {
  it('when an application is decided or disbursed out of turn, then 409 names the current state and nothing changes', async () => {
    const bank = await createInstitution(t);
    const l1 = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
    const rejected = await apply(t, bank.apiKey, { operation: '2023Q2', loanRefs: [l1.loanRef], collateral: [bond('S-1', '60000.00')] });
    await post(t, t.operatorKey, `/api/v1/applications/${rejected.id}/reject`, { reason: 'no' });
    const { application: disbursed } = await disbursedTranche();
    const before = await writes();
    const cases: [string, string, string, string][] = [
      [`/api/v1/applications/${rejected.id}/approve`, 'application_not_submitted', 'rejected', t.operatorKey],
      [`/api/v1/applications/${disbursed.id}/approve`, 'application_not_submitted', 'disbursed', t.operatorKey],
      [`/api/v1/applications/${disbursed.id}/reject`, 'application_not_submitted', 'disbursed', t.operatorKey],
      [`/api/v1/applications/${rejected.id}/disburse`, 'application_not_approved', 'rejected', checker.apiKey],
      [`/api/v1/applications/${disbursed.id}/disburse`, 'application_not_approved', 'disbursed', checker2.apiKey],
    ];
    for (const [path, code, currentStatus, key] of cases) {
      const res = await post(t, key, path, { reason: 'again' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code, currentStatus });
      expect(res.body.detail).toContain(currentStatus);
    }
    expect(await writes()).toEqual(before);
  });

  it('when a repaid tranche is repaid or rolled over, then 409 names the state and neither the journal nor the tables change', async () => {
    const { bank, tranche } = await disbursedTranche();
    t.setNow('2023-06-11T04:00:00Z');
    const paid = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '600000.00' });
    // 600,000 × 1.75 % × 10 / 360 = 291.666… → 291.67
    expect(paid.body).toMatchObject({ paidPrincipal: '600000.00', paidInterest: '291.67', facility: { status: 'repaid' } });
    t.setNow('2024-06-01T04:00:00Z');
    const before = await writes();
    const again = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/repay`, { principal: '1.00' });
    expect(again).toMatchObject({ status: 409, body: { code: 'facility_not_live', currentStatus: 'repaid' } });
    const roll = await post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`);
    expect(roll).toMatchObject({ status: 409, body: { code: 'facility_not_live', currentStatus: 'repaid' } });
    expect(await writes()).toEqual(before);
    t.setNow('2023-06-01T04:00:00Z');
  });
});

describe('concurrency', () => {
  it('when two operators disburse the same approved application at once, then exactly one tranche and one journal entry are booked', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CC-1', '600000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const before = await writes();
    const answers = await Promise.all([
      post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`),
      post(t, checker2.apiKey, `/api/v1/applications/${application.id}/disburse`),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const after = await writes();
    expect(after.facilities - before.facilities).toBe(1);
    expect(after.journal - before.journal).toBe(1);
    expect((await verifyJournal(t)).intact).toBe(true);
  });

  it('when the same operator disburses twice at once with one Idempotency-Key, then one tranche is booked and a repeat returns the first answer', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond('CC-2', '600000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    const before = await writes();
    const send = () =>
      post(t, checker.apiKey, `/api/v1/applications/${application.id}/disburse`).set('Idempotency-Key', `once-${application.id}`);
    const answers = await Promise.all([send(), send()]);
    expect(answers.every((a) => a.status === 201 || (a.status === 409 && a.body.code === 'idempotency_key_in_use'))).toBe(true);
    const first = answers.find((a) => a.status === 201)!;
    const replay = await send();
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const after = await writes();
    expect([after.facilities - before.facilities, after.journal - before.journal]).toEqual([1, 1]);
  });

  it('when a bank lists the same loan on two applications at once, then one is accepted and the other names the loan', async () => {
    const bank = await createInstitution(t);
    const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
    const answers = await Promise.all([
      post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q2', loanRefs: [loan.loanRef] }),
      post(t, bank.apiKey, '/api/v1/applications', { operation: '2023Q2', loanIds: [loan.id] }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const refused = answers.find((a) => a.status === 422)!;
    expect(refused.body.errors[0].code).toBe('loan_already_applied_for');
    expect(await count('application_loans', `loan_id = '${loan.id}' and active = 1`)).toBe(1);
  });

  it('when bank and operator roll the same tranche over at once, then one new tranche is opened and the other gets 409', async () => {
    const { bank, tranche } = await disbursedTranche();
    t.setNow('2024-06-01T04:00:00Z');
    const before = await writes();
    const answers = await Promise.all([
      post(t, bank.apiKey, `/api/v1/facilities/${tranche.id}/rollover`),
      post(t, t.operatorKey, `/api/v1/facilities/${tranche.id}/rollover`),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body).toMatchObject({ code: 'facility_not_live', currentStatus: 'rolled_over' });
    const after = await writes();
    expect(after.facilities - before.facilities).toBe(1);
    // one accrual, one settling repayment (interest), one rollover entry
    expect(after.journal - before.journal).toBe(3);
    expect((await verifyJournal(t)).intact).toBe(true);
    t.setNow('2023-06-01T04:00:00Z');
  });

  it('when two reversals of the same journal entry are confirmed at once, then one reversal is booked and the other is refused with 409', async () => {
    await disbursedTranche();
    const [entry] = (await get(t, t.operatorKey, '/api/v1/journal?kind=disbursement&limit=1')).body.items;
    // two operators each propose the reversal (both pass the check: nothing is reversed yet) …
    const proposals = await Promise.all([
      post(t, t.operatorKey, `/api/v1/journal/entries/${entry.id}/reverse`, { reason: 'wrong bank' }),
      post(t, checker.apiKey, `/api/v1/journal/entries/${entry.id}/reverse`, { reason: 'wrong bank' }),
    ]);
    expect(proposals.map((p) => p.status)).toEqual([202, 202]);
    // … and each is confirmed by the other at once
    const answers = await Promise.all([
      post(t, checker.apiKey, `/api/v1/approvals/${proposals[0].body.id}/confirm`),
      post(t, t.operatorKey, `/api/v1/approvals/${proposals[1].body.id}/confirm`),
    ]);
    expect(answers.map((a) => `${a.status} ${a.body.code ?? ''}`).sort()).toEqual(['200 ', '409 entry_already_reversed']);
    expect(await count('journal_entries', `reverses_id = '${entry.id}'`)).toBe(1);
    expect((await verifyJournal(t)).intact).toBe(true);
  });

  it('when two instruments of one application are revalued down at once, then both answer 201 and exactly one margin call is open', async () => {
    const { application } = await disbursedTranche('1000000.00', [bond('RV-A', '350000.00'), bond('RV-B', '350000.00')]);
    const items = (await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body.collateral as { id: string }[];
    const answers = await Promise.all(
      items.map((c) => post(t, t.operatorKey, `/api/v1/collateral/${c.id}/revaluations`, { marketValue: '250000.00' })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const calls = (await get(t, t.operatorKey, '/api/v1/margin-calls?status=open&limit=1000')).body.items.filter(
      (c: { applicationId: string }) => c.applicationId === application.id,
    );
    // both revaluations count: eligible 500,000.00 against 600,000.00
    expect(calls).toEqual([expect.objectContaining({ eligibleCollateral: '500000.00', exposure: '600000.00', shortfall: '100000.00' })]);
  });

  it('when an approval and the allocation of the same operation race, then neither answers 500 and the volume is never exceeded', async () => {
    t.setNow('2023-03-15T04:00:00Z');
    await openOperation(t, '2023Q1', '1000000.00');
    for (let round = 0; round < 6; round++) {
      const bank = await createInstitution(t);
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-03-01', maturesOn: '2025-03-01' });
        ids.push((await apply(t, bank.apiKey, { operation: '2023Q1', loanRefs: [loan.loanRef] })).id);
      }
      const answers = await Promise.all([
        post(t, t.operatorKey, `/api/v1/applications/${ids[1]}/approve`, { reason: 'fine' }),
        post(t, checker.apiKey, '/api/v1/operations/2023Q1/allocate'),
      ]);
      expect(answers.map((a) => a.status)).not.toContain(500);
    }
    const op = (await get(t, t.operatorKey, '/api/v1/operations/2023Q1')).body;
    expect(op).toMatchObject({ volume: '1000000.00' });
    expect(BigInt(op.remaining.replace('.', ''))).toBeGreaterThanOrEqual(0n);
    t.setNow('2023-06-01T04:00:00Z');
  });
});

describe('volume and cap under concurrency', () => {
  it('when two 2026 operations that each fit the annual cap but not together are opened at once, then one is refused with annual_cap_exceeded', async () => {
    // 2026 cap 8,000 亿元 = 800,000,000,000.00 yuan; 500,000,000,000.00 + 400,000,000,000.00 would pass it
    const proposals = await Promise.all([
      post(t, t.operatorKey, '/api/v1/operations', { quarter: '2026Q1', volume: '500000000000.00' }),
      post(t, checker.apiKey, '/api/v1/operations', { quarter: '2026Q2', volume: '400000000000.00' }),
    ]);
    expect(proposals.map((p) => p.status)).toEqual([202, 202]);
    const answers = await Promise.all([
      post(t, checker.apiKey, `/api/v1/approvals/${proposals[0].body.id}/confirm`),
      post(t, t.operatorKey, `/api/v1/approvals/${proposals[1].body.id}/confirm`),
    ]);
    expect(answers.map((a) => `${a.status} ${a.body.code ?? ''}`).sort()).toEqual(['200 ', '409 annual_cap_exceeded']);
    const listed = (await get(t, t.operatorKey, '/api/v1/operations?limit=1000')).body.items.filter((o: { quarter: string }) =>
      o.quarter.startsWith('2026'),
    );
    expect(listed).toHaveLength(1);
  });

  it('when two approvals that together pass the operation volume race, then one is refused and the approved total stays within the volume', async () => {
    t.setNow('2023-08-01T04:00:00Z');
    await openOperation(t, '2023Q3', '100000.00');
    const bank = await createInstitution(t);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      // each requests 60 % × 100,000.00 = 60,000.00; both would need 120,000.00 > 100,000.00
      const loan = await createLoan(t, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-07-15', maturesOn: '2025-07-15' });
      ids.push((await apply(t, bank.apiKey, { operation: '2023Q3', loanRefs: [loan.loanRef] })).id);
    }
    const answers = await Promise.all([
      post(t, t.operatorKey, `/api/v1/applications/${ids[0]}/approve`, { reason: 'ok' }),
      post(t, checker.apiKey, `/api/v1/applications/${ids[1]}/approve`, { reason: 'ok' }),
    ]);
    expect(answers.map((a) => `${a.status} ${a.body.code ?? ''}`).sort()).toEqual(['200 ', '409 operation_volume_exceeded']);
    expect((await get(t, t.operatorKey, '/api/v1/operations/2023Q3')).body).toMatchObject({
      volume: '100000.00',
      approved: '60000.00',
      remaining: '40000.00',
    });
    t.setNow('2023-06-01T04:00:00Z');
  });
});

describe('journal tamper detection', () => {
  let j: TestApp;
  beforeAll(async () => {
    j = await createTestApp({ now: '2023-06-01T04:00:00Z' });
    const op2 = await createUser(j, 'PBOC', 'checker');
    await openOperation(j, '2023Q2', '100000000.00');
    const bank = await createInstitution(j);
    for (let i = 0; i < 3; i++) {
      const loan = await createLoan(j, bank.apiKey, { principal: '100000.00', disbursedOn: '2023-05-15', maturesOn: '2025-05-15' });
      const application = await apply(j, bank.apiKey, {
        operation: '2023Q2',
        loanRefs: [loan.loanRef],
        collateral: [bond(`T-${i}`, '60000.00')],
      });
      await approve(j, j.operatorKey, application.id);
      await disburse(j, op2.apiKey, application.id);
    }
  });
  afterAll(async () => j.close());
  const exec = (q: ReturnType<typeof sql>) => j.database.db.execute(q);

  it('when two entries swap places in the chain, then verify reports the first misplaced one', async () => {
    expect((await verifyJournal(j)).intact).toBe(true);
    await exec(sql`update journal_entries set sequence = -sequence where sequence in (2, 3)`);
    await exec(sql`update journal_entries set sequence = case sequence when -2 then 3 else 2 end where sequence in (-2, -3)`);
    const report = await verifyJournal(j);
    expect(report).toMatchObject({ intact: false, brokenAt: { sequence: '2', problem: 'prev_hash_mismatch' } });
    // put them back
    await exec(sql`update journal_entries set sequence = -sequence where sequence in (2, 3)`);
    await exec(sql`update journal_entries set sequence = case sequence when -2 then 3 else 2 end where sequence in (-2, -3)`);
    expect((await verifyJournal(j)).intact).toBe(true);
  });

  it('when an entry in the middle is deleted, then verify reports the gap at the entry after it', async () => {
    const [second] = await exec(sql`select id from journal_entries where sequence = 2`).then(
      (r) => (r as unknown as { rows: { id: string }[] }).rows,
    );
    await exec(sql`delete from journal_lines where entry_id = ${second.id}::uuid`);
    await exec(sql`delete from journal_entries where id = ${second.id}::uuid`);
    const report = await verifyJournal(j);
    expect(report).toMatchObject({ intact: false, brokenAt: { sequence: '3', problem: 'sequence_gap' } });
  });

  it('when the last entry is deleted, then verify reports the chain head no longer matches', async () => {
    const [last] = await exec(sql`select id from journal_entries order by sequence desc limit 1`).then(
      (r) => (r as unknown as { rows: { id: string }[] }).rows,
    );
    await exec(sql`delete from journal_lines where entry_id = ${last.id}::uuid`);
    await exec(sql`delete from journal_entries where id = ${last.id}::uuid`);
    const report = await verifyJournal(j);
    expect(report.intact).toBe(false);
  });
});
