/**
 * Checks before signing: a loan whose attributed reduction per 万元 of principal is above the threshold
 * (100 t) is a quality finding the bank must confirm with a reason before it can submit; one exactly at
 * the threshold is not. Loan A: 1,000,000.00 yuan (100 万元) of a project of 1,000,000.00 yuan and
 * 10,000.00 t → 10,000.00 t attributed, 100 t per 万元 (at the threshold). Loan B: the same with 10,000.01 t
 * → 100.0001 t per 万元 (above).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };
const D = () => `/api/v1/disclosures/${bank.code}/2022Q3`;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: uniqueCode('CK') });
  const loans = [];
  for (const [ref, reduction] of [
    ['CK-A', '10000.00'],
    ['CK-B', '10000.01'],
  ]) {
    const id = await submitLoan(t, bank.apiKey, {
      loanRef: `${ref}-${bank.code}`,
      principal: '1000000.00',
      disbursedOn: '2022-08-10',
      project: { ref: `P-${ref}-${bank.code}`, totalInvestment: '1000000.00', annualReductionTonnes: reduction },
    });
    loans.push({ id, principalFen: 100_000_000n });
  }
  await supportLoans(t, bank.id, loans);
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  await eventually(async () => (await request(t.app).get(D()).set(bearer(bank.apiKey))).status === 200, 'the compiled disclosure');
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('checks before signing', () => {
  it('when a loan is above the intensity threshold, then it is a quality finding and the one at the threshold is not', async () => {
    const res = await request(t.app).get(`${D()}/checks`).set(bearer(bank.apiKey));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, status: 'compiled', submittable: false });
    expect(res.body.findings).toEqual([
      expect.objectContaining({ kind: 'quality', check: 'reduction_intensity', subject: `loan:CK-B-${bank.code}`, confirmation: null }),
    ]);
    expect(res.body.findings[0].message).toContain('100.00 t per 万元');
    // operators see it too
    expect((await request(t.app).get(`${D()}/checks`).set(bearer(t.operatorKey))).body.findings).toHaveLength(1);
  });

  it('when the bank submits before confirming, then 409 naming the finding; once confirmed with a reason, it submits', async () => {
    const refused = await request(t.app).post(`${D()}/submit`).set(bearer(bank.apiKey));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'disclosure_checks_unconfirmed' });
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: `loan:CK-B-${bank.code}`, code: 'reduction_intensity' })]);

    const confirmed = await request(t.app)
      .post(`${D()}/checks/confirm`)
      .set(bearer(bank.apiKey))
      .send({ check: 'reduction_intensity', subject: `loan:CK-B-${bank.code}`, reason: 'energy-performance study attached' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.submittable).toBe(true);
    expect(confirmed.body.findings[0].confirmation).toMatchObject({ reason: 'energy-performance study attached' });
    expect((await request(t.app).post(`${D()}/submit`).set(bearer(bank.apiKey))).status).toBe(200);
  });
});
