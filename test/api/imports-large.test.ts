/**
 * A large single-bank history in one document: 3,000 loans and 90 records over ten quarters, booked in
 * parts (a transaction each). A record a use case refuses in a late part stops the import there: the
 * parts before stay booked once, the import is `booking`, and the same document sent again (once the
 * rule no longer refuses) resumes after the last part booked and completes with every figure by hand.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, quarterBounds } from '../../domain/dates.js';
import { IMPORT_PART_RECORDS } from '../../app/imports/import-history.js';
import { act } from '../factories/approvals.js';
import { createInstitution } from '../factories/institutions.js';
import { uniqueCode } from '../factories/disclosures.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

let t: TestApp;
let bank: { id: string; code: string };

const LOAN_COUNT = 3_000;
/** loans are disbursed over 2021Q3–2023Q4; operations from 2021Q4 to 2024Q1 */
const LOAN_QUARTERS = ['2021Q3', '2021Q4', '2022Q1', '2022Q2', '2022Q3', '2022Q4', '2023Q1', '2023Q2', '2023Q3', '2023Q4'];
const OPERATION_QUARTERS = [...LOAN_QUARTERS.slice(1), '2024Q1'];
const RATE: Record<string, string> = { '2021': '3.90', '2022': '3.70', '2023': '3.50' };
const opensOn = (q: string) => (q === '2021Q4' ? '2021-11-08' : quarterBounds(q).start);
/** the 2023Q1 application after the 2023 notice (2023-01-29) */
const appliedOn = (q: string) => (q === '2023Q1' ? '2023-02-06' : addDays(opensOn(q), 7));

type Rec = { kind: string; on: string; [field: string]: unknown };

function history(code: string) {
  const loans = Array.from({ length: LOAN_COUNT }, (_, i) => {
    const q = LOAN_QUARTERS[Math.floor((i * LOAN_QUARTERS.length) / LOAN_COUNT)];
    const disbursedOn = addDays(quarterBounds(q).start, i % 80);
    return loanRequest({
      loanRef: `${code}-L${i}`,
      project: { ref: `${code}-P${Math.floor(i / 2)}` },
      principal: '1000000.00',
      annualRatePercent: RATE[disbursedOn.slice(0, 4)],
      disbursedOn,
      maturesOn: addDays(disbursedOn, 3 * 365),
    });
  });
  // both loans of a project share its facts
  for (let i = 1; i < loans.length; i += 2) loans[i].project = loans[i - 1].project;
  const records: Rec[] = [];
  const listedBy: number[] = [];
  let next = 0;
  for (const q of OPERATION_QUARTERS) {
    const on = appliedOn(q);
    records.push({ kind: 'operation', quarter: q, volume: '100000000000.00', on: opensOn(q) });
    const listed: string[] = [];
    while (next < loans.length && loans[next].disbursedOn < on) listed.push(loans[next++].loanRef);
    listedBy.push(listed.length);
    const ref = `${code}-A-${q}`;
    // 60 % of 1,000,000.00 a loan requested; collateral 110 % of it
    const collateral = `${listed.length * 660_000}.00`;
    records.push(
      {
        kind: 'application',
        ref,
        on,
        operation: q,
        loanRefs: listed,
        collateral: [{ type: 'central_government_bond', ref: `${ref}-CGB`, faceValue: collateral, marketValue: collateral }],
      },
      { kind: 'approval', ref: `${ref}-OK`, on: addDays(on, 4), application: ref, reason: 'meets the facility rules' },
      { kind: 'disbursement', ref: `${ref}-T`, on: addDays(on, 6), application: ref },
    );
  }
  // fifty loans repay 100,000.00 each on 2023-06-30
  for (let i = 0; i < 50; i++)
    records.push({ kind: 'loan_repayment', ref: `${code}-L${i}-R`, on: '2023-06-30', loanRef: `${code}-L${i}`, amount: '100000.00' });
  return { institution: code, loans, records, listedBy };
}

const get = (path: string) => request(t.app).get(path).set(bearer(t.operatorKey));
const tranches = async () => (await get(`/api/v1/facilities?institution=${bank.code}&limit=100`)).body.items as { principal: string }[];
const sumYuan = (items: { principal: string }[]) => items.reduce((s, f) => s + Number(f.principal.replace(/,/g, '')), 0);

beforeAll(async () => {
  t = await createTestApp({ now: '2026-11-30T02:00:00Z', operators: 2 });
  // eligible until the end of 2023: the 2024Q1 application (the last part) is refused until an operator extends it
  bank = await createInstitution(t, { code: uniqueCode('BIG'), eligibleFrom: '2021-07-01', eligibleUntil: '2023-12-31' });
});
afterAll(async () => {
  await t?.close();
});

describe('a large single-bank history', () => {
  it('when its last loan or one of its records is wrong, then the import is refused naming it and not one of its loans is written', async () => {
    const other = await createInstitution(t, { code: uniqueCode('BAD'), eligibleFrom: '2021-07-01' });
    const { listedBy: _, ...document } = history(other.code);
    // the last loan (on the embedded database in the last part of 250 loans checked) matures before it is disbursed
    const last = document.loans[LOAN_COUNT - 1];
    const badLoan = { ...document, loans: [...document.loans.slice(0, -1), { ...last, maturesOn: addDays(last.disbursedOn, -1) }] };
    const refusedLoan = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(badLoan);
    expect(refusedLoan.status).toBe(422);
    expect(refusedLoan.body.errors.map((e: { path: string }) => e.path.split('.').slice(0, 2).join('.'))).toContain(
      `loans.${LOAN_COUNT - 1}`,
    );
    // every loan good, a late record approving an application the document never made
    const badRecord = {
      ...document,
      records: [
        ...document.records,
        { kind: 'approval', ref: `${other.code}-X-OK`, on: '2024-03-01', application: `${other.code}-X`, reason: 'x' },
      ],
    };
    const refusedRecord = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(badRecord);
    expect(refusedRecord.status).toBe(422);
    expect(refusedRecord.body.errors.some((e: { path: string }) => e.path.startsWith(`records.${document.records.length}`))).toBe(true);
    const loans = await get(`/api/v1/loans?institution=${other.code}&limit=10`);
    expect(loans.status).toBe(200);
    expect(loans.body.items).toEqual([]);
  });

  it(
    'when a late part is refused, then the parts before stay booked once, and the same document again completes the import',
    async () => {
      const { listedBy, ...document } = history(bank.code);
      expect(document.records.length).toBe(90);
      expect(IMPORT_PART_RECORDS).toBe(25);
      expect(listedBy.reduce((a, b) => a + b, 0)).toBe(LOAN_COUNT);

      const refused = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(document);
      expect(refused.status).toBe(422);
      const late = document.records.findIndex((r) => r.kind === 'application' && r.operation === '2024Q1');
      expect(refused.body.errors).toEqual([
        { path: expect.stringMatching(`^records\\.${late}`), code: 'institution_not_eligible', message: expect.any(String) },
      ]);
      // in date order: 2021Q4–2023Q2 (7 quarters × 4 records = 28), the 50 repayments of 2023-06-30, then
      // 2023Q3, 2023Q4 and 2024Q1 (12). Parts of 25 records: the first three (75 records) hold the seven
      // quarters and 47 repayments, and stay booked; the fourth, with the refused application, does not.
      const before = await tranches();
      expect(before).toHaveLength(7);
      const listedBefore = listedBy.slice(0, 7).reduce((a, b) => a + b, 0);
      expect(sumYuan(before)).toBe(listedBefore * 600_000);

      const repaidBefore = await get(`/api/v1/loans?institution=${bank.code}&projectRef=${bank.code}-P24`);
      // loans L48 and L49 repay in the fourth part: not yet
      expect(repaidBefore.body.items.map((l: { outstandingPrincipal: string }) => l.outstandingPrincipal.replace(/,/g, ''))).toEqual([
        '1000000.00',
        '1000000.00',
      ]);

      const extended = await act(t, t.operatorKey, 'patch', `/api/v1/institutions/${bank.code}`, { eligibleUntil: '2026-12-31' });
      expect(extended.status).toBe(200);

      const done = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(document);
      expect(done.status).toBe(201);
      expect(done.body.status).toBe('completed');
      const c = { created: 10, unchanged: 0 };
      expect(done.body.counts).toEqual({
        loans: { created: LOAN_COUNT, unchanged: 0 },
        records: { operation: c, application: c, approval: c, disbursement: c, loan_repayment: { created: 50, unchanged: 0 } },
      });
      expect(done.body.records.every((r: { status: string }) => r.status === 'created')).toBe(true);
      // every loan supported once: ten tranches, Σ = 3,000 × 600,000.00
      const after = await tranches();
      expect(after).toHaveLength(10);
      expect(sumYuan(after)).toBe(1_800_000_000);
      // the two loans of the first project each repaid: 1,000,000.00 − 100,000.00
      const first = await get(`/api/v1/loans?institution=${bank.code}&projectRef=${bank.code}-P0`);
      expect(first.body.items.map((l: { outstandingPrincipal: string }) => l.outstandingPrincipal.replace(/,/g, ''))).toEqual([
        '900000.00',
        '900000.00',
      ]);

      const again = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(document);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(done.body);
      expect(await tranches()).toHaveLength(10);
      const shown = await get(`/api/v1/imports/${done.body.id}`);
      expect(shown.body).toMatchObject({ status: 'completed', counts: done.body.counts });
    },
    PROCESS_TEST_MS,
  );
});
