import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution, createUser } from '../factories/institutions.js';
import {
  apply,
  approve,
  bond,
  createLoan,
  disburse,
  get,
  openOperation,
  post,
  reverseEntry,
  verifyJournal,
} from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { CITIC_2022Q3, publishDisclosure } from '../browser/support/seed-disclosures.js';

let t: TestApp;
let bank: { code: string; apiKey: string };
let tranches: { id: string }[] = [];

beforeAll(async () => {
  t = await createTestApp({ now: '2023-06-01T04:00:00Z' });
  const checker = await createUser(t, 'PBOC', 'checker');
  await openOperation(t, '2023Q2', '100000000.00');
  bank = await createInstitution(t, { code: 'JRNL' });
  for (const principal of ['1000000.00', '333333.33']) {
    const loan = await createLoan(t, bank.apiKey, { principal, disbursedOn: '2023-05-15', maturesOn: '2026-05-15' });
    const application = await apply(t, bank.apiKey, {
      operation: '2023Q2',
      loanRefs: [loan.loanRef],
      collateral: [bond(`CGB-${principal}`, '1000000.00')],
    });
    await approve(t, t.operatorKey, application.id);
    tranches.push(await disburse(t, checker.apiKey, application.id));
  }
  t.setNow('2023-06-11T04:00:00Z');
});
afterAll(async () => t.close());

describe('the journal', () => {
  it('when interest is accrued day by day, then the daily bookings sum to the total rounded once', async () => {
    // 10 days, one run per day. Tranche 2: 200,000.00 (60 % of 333,333.33 = 199,999.998 → half up to the fen)
    // total for 10 days: 600,000 × 1.75 % × 10/360 = 291.666… → 291.67; 200,000.00 × 1.75 % × 10/360 = 97.2222… → 97.22
    for (let d = 2; d <= 11; d++) {
      const res = await post(t, t.operatorKey, '/api/v1/facilities/accrue', { through: `2023-06-${String(d).padStart(2, '0')}` });
      expect(res.status).toBe(200);
    }
    const statement = await get(t, bank.apiKey, '/api/v1/facilities/statement');
    expect(statement.body.tranches.map((x: { principal: string; interestDue: string }) => [x.principal, x.interestDue]).sort()).toEqual([
      ['200000.00', '97.22'],
      ['600000.00', '291.67'],
    ]);
    expect(statement.body.accruedInterest).toBe('388.89');
    const accruals = await get(t, bank.apiKey, '/api/v1/journal?kind=accrual&limit=1000');
    expect(accruals.body.items).toHaveLength(10);
    const sum = accruals.body.items.reduce(
      (s: number, e: { lines: { debit: string }[] }) => s + Math.round(Number(e.lines[0].debit) * 100),
      0,
    );
    expect(sum).toBe(38889);
    const balances = await get(t, bank.apiKey, '/api/v1/journal/balances');
    expect(balances.body.accounts).toEqual(
      expect.arrayContaining([expect.objectContaining({ account: 'pbc:interest_receivable:JRNL', balance: '388.89' })]),
    );
    const future = await post(t, t.operatorKey, '/api/v1/facilities/accrue', { through: '2023-06-12' });
    expect(future.body.errors[0]).toMatchObject({ path: 'through', code: 'date_in_future' });
  });

  it('when an entry is reversed, then a mirror entry is appended, the original stays, and a second reversal is refused', async () => {
    const [latest] = (await get(t, t.operatorKey, '/api/v1/journal?kind=accrual&limit=1')).body.items;
    const reversal = { body: await reverseEntry(t, latest.id, { reason: 'booked for the wrong day' }) };
    expect(reversal.body).toMatchObject({ kind: 'reversal', reversesId: latest.id, prevHash: expect.any(String) });
    expect(reversal.body.lines.map((l: { debit: string; credit: string }) => [l.debit, l.credit])).toEqual(
      latest.lines.map((l: { debit: string; credit: string }) => [l.credit, l.debit]),
    );
    expect((await post(t, t.operatorKey, `/api/v1/journal/entries/${latest.id}/reverse`, { reason: 'again' })).body.code).toBe(
      'entry_already_reversed',
    );
    expect((await post(t, t.operatorKey, `/api/v1/journal/entries/${reversal.body.id}/reverse`, { reason: 'undo' })).body.code).toBe(
      'cannot_reverse_a_reversal',
    );
    expect((await post(t, bank.apiKey, `/api/v1/journal/entries/${latest.id}/reverse`, { reason: 'mine' })).status).toBe(403);
    expect((await verifyJournal(t)).intact).toBe(true);
  });

  it('when a verifier checks the journal, then it sees only the totals of the banks it is assigned to verify', async () => {
    const verifier = await createInstitution(t, { kind: 'verifier' });
    const unassigned = await get(t, verifier.apiKey, '/api/v1/journal/verify');
    expect(unassigned.body).toMatchObject({ intact: true, institutions: [] });
    await publishDisclosure(t.database.db, {
      institutionCode: 'JRNL',
      quarter: '2022Q3',
      horizons: CITIC_2022Q3,
      verifierCode: verifier.code,
    });
    const assigned = await get(t, verifier.apiKey, '/api/v1/journal/verify');
    expect(assigned.body).toMatchObject({ intact: true, institutions: [{ code: 'JRNL', balanced: true }] });
  });

  it('when a stored line is altered behind the API, then verify says the chain is broken and names the entry', async () => {
    const clean = await verifyJournal(t);
    expect(clean).toMatchObject({ intact: true, brokenAt: null, institutions: [{ code: 'JRNL', balanced: true }] });
    const [disbursement] = (await get(t, t.operatorKey, '/api/v1/journal?kind=disbursement&limit=1000')).body.items.slice(-1);
    await t.database.db.execute(
      sql`update journal_lines set debit_fen = debit_fen + 1 where entry_id = ${disbursement.id}::uuid and line_no = 1`,
    );
    const broken = await verifyJournal(t);
    expect(broken).toMatchObject({
      intact: false,
      brokenAt: { sequence: disbursement.sequence, entryId: disbursement.id, problem: 'hash_mismatch' },
    });
  });
});
