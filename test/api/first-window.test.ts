/**
 * The first window (issue 9, item 5), through the API: loans disbursed from 2021-07-01 are inside the
 * facility for institutions eligible then, and 2021Q3 — before the launch policy's 2021-11-08 — compiles
 * under the launch policy. Figures computed by hand below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, uniqueCode } from '../factories/disclosures.js';
import { loanRequest } from '../factories/loans.js';
import { apply, approve, get, openOperation, post } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2021-12-01T02:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: uniqueCode('FW'), eligibleFrom: '2021-07-01' });
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

const project = (ref: string) => ({
  ref,
  subArea: 'CE.WIND',
  totalInvestment: '800000000.00',
  annualReductionTonnes: '210000.00',
});

describe('the first window', () => {
  const accepted: { id: string; loanRef: string }[] = [];

  it('when a bank eligible from 2021-07-01 submits loans disbursed on 2021-07-01 and 2021-08-01, then they are accepted; 2021-06-30 is refused before_facility_launch', async () => {
    const first = loanRequest({ disbursedOn: '2021-07-01', maturesOn: '2024-07-01', principal: '1000000.00', annualRatePercent: '3.85' });
    first.project = { ...first.project, ...project(`FW-P1-${bank.code}`) };
    const second = loanRequest({ disbursedOn: '2021-08-01', maturesOn: '2024-08-01', principal: '2500000.00', annualRatePercent: '4.35' });
    second.project = { ...second.project, ...project(`FW-P2-${bank.code}`) };
    for (const body of [first, second]) {
      const res = await post(t, bank.apiKey, '/api/v1/loans', body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ eligible: true, policyVersion: '2021-11-launch' });
      accepted.push({ id: res.body.id, loanRef: body.loanRef });
    }
    const before = await post(t, bank.apiKey, '/api/v1/loans', loanRequest({ disbursedOn: '2021-06-30', maturesOn: '2024-06-30' }));
    expect(before.status).toBe(422);
    expect(before.body.errors).toEqual([expect.objectContaining({ path: 'disbursedOn', code: 'before_facility_launch' })]);
  });

  it('when the loans are supported in the 2021Q4 operation and 2021Q3 is compiled, then its figures are the ones computed by hand', async () => {
    await openOperation(t, '2021Q4', '100000000.00');
    const application = await apply(t, bank.apiKey, { operation: '2021Q4', loanRefs: accepted.map((l) => l.loanRef) });
    expect(application.requested).toBe('2100000.00'); // 60 % of 3,500,000.00
    await approve(t, t.operatorKey, application.id);

    expect((await post(t, t.operatorKey, '/api/v1/disclosures/compile', { quarter: '2021Q3' })).body).toMatchObject({
      banks: [bank.code],
    });
    const disclosure = await eventually(async () => {
      const r = await get(t, bank.apiKey, `/api/v1/disclosures/${bank.code}/2021Q3`);
      return r.status === 200 ? r.body : undefined;
    }, 'the 2021Q3 disclosure');
    // Σ principal 1,000,000.00 + 2,500,000.00 = 3,500,000.00 → 350.00 万元;
    // rate (3.85 × 1,000,000 + 4.35 × 2,500,000) ÷ 3,500,000 = 4.2071…% → 4.21;
    // reduction 210,000 × 1,000,000 ÷ 800,000,000 + 210,000 × 2,500,000 ÷ 800,000,000 = 262.50 + 656.25 = 918.75 t
    const figures = { projects: 2, loanAmountWanYuan: '350.00', weightedAverageRatePercent: '4.21', annualReductionTonnes: '918.75' };
    expect(disclosure).toMatchObject({
      quarter: '2021Q3',
      version: 1,
      status: 'compiled',
      period: { start: '2021-07-01', end: '2021-09-30', yearStart: '2021-01-01' },
      basis: { loans: 2, rounding: 'half_up' },
    });
    expect(disclosure.horizons).toMatchObject({ quarter: figures, yearToDate: figures, sinceInception: figures });

    // its verification draws the sample under the same policy
    const verifier = await createInstitution(t, { code: uniqueCode('FWV'), kind: 'verifier' });
    await post(t, bank.apiKey, `/api/v1/disclosures/${bank.code}/2021Q3/submit`).expect(200);
    const assigned = await post(t, t.operatorKey, `/api/v1/disclosures/${bank.code}/2021Q3/assign`, { verifier: verifier.code });
    expect(assigned.status).toBe(200);
    expect((await get(t, bank.apiKey, `/api/v1/disclosures/${bank.code}/2021Q3`)).body.status).toBe('under_verification');
  });
});
