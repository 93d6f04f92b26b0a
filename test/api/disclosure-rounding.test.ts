import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: uniqueCode('EDGE') });
  const project = (ref: string, totalInvestment: string, annualReductionTonnes: string) => ({
    ref,
    name: `项目${ref}`,
    totalInvestment,
    annualReductionTonnes,
    evidence: { title: '可研', sha256: ref.charCodeAt(0).toString(16).padStart(2, '0').repeat(32) },
  });
  const R1 = project('R1', '6.00', '0.01');
  const R2 = project('R2', '6.00', '0.01');
  const C = project('C', '3.00', '0.03');
  const E = project('E', '44.00', '0.44');
  const loans = [];
  for (const [p, principal, rate, on] of [
    [R1, '1.00', '3.81', '2022-08-01'],
    [R2, '2.00', '3.81', '2022-08-02'],
    [C, '3.00', '3.80', '2022-08-04'],
    [E, '44.00', '3.70', '2022-02-01'],
  ] as const) {
    loans.push({
      id: await submitLoan(t, bank.apiKey, { project: p, principal, annualRatePercent: rate, disbursedOn: on, maturesOn: '2032-01-01' }),
      principalFen: BigInt(principal.replace('.', '')),
    });
  }
  await supportLoans(t, bank.id, loans);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

// By hand. Quarter: R1 (1.00 of a 6.00 yuan, 0.01 t project = 1/6 centitonne), R2 (2.00 of another such project
// = 1/3 centitonne) and C (3.00 yuan, all of a 0.03 t project = 3 centitonnes):
//   amount 6.00 yuan = 0.0006 万元 → 0.00; rate (3.81 + 2×3.81 + 3×3.80)/6 = 22.83/6 = 3.805 exactly → 3.81 (half up);
//   reduction 1/6 + 1/3 + 3 = 3.5 centitonnes exactly → 0.04 t. Neither 1/6 nor 1/3 is a finite decimal, so the
//   truncated sum (3.4999…) cannot be certified and the exact sum decides; rounding each loan first would give 0.03.
// Year to date: + E (44.00 yuan, all of a 0.44 t project = 44 centitonnes):
//   amount 50.00 yuan = 0.005 万元 exactly → 0.01; rate (22.83 + 162.80)/50 = 3.7126 → 3.71;
//   reduction 3.5 + 44 = 47.5 centitonnes → 0.48 t.
describe('rounding at the edges', () => {
  it('when figures fall exactly on a half, then each is rounded once, half up, from the exact sum', async () => {
    await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
    const d = await eventually(async () => {
      const r = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'compiled');
    expect(d.horizons.quarter).toMatchObject({
      projects: 3,
      loanAmountWanYuan: '0.00',
      weightedAverageRatePercent: '3.81',
      annualReductionTonnes: '0.04',
    });
    expect(d.horizons.yearToDate).toMatchObject({
      projects: 4,
      loanAmountWanYuan: '0.01',
      weightedAverageRatePercent: '3.71',
      annualReductionTonnes: '0.48',
    });
    expect(d.horizons.sinceInception).toEqual(d.horizons.yearToDate);
    expect(d.topProjects.map((p: { ref: string; annualReductionTonnes: string }) => [p.ref, p.annualReductionTonnes])).toEqual([
      ['C', '0.03'],
      ['R2', '0.00'],
      ['R1', '0.00'],
    ]);
  });
});
