/**
 * Checks before signing against the bank's earlier quarters, through the API: the quarter's new loans
 * far from the mean of the last four compiled quarters, and one borrower's project with conflicting facts;
 * thresholds changed by a four-eyes policy change apply from their date.
 *
 * Bank AT and bank UP each lend 1,000,000.00 yuan in each of 2021Q3, 2021Q4, 2022Q1 and 2022Q2 (a project of
 * 1,000,000.00 yuan and 1,000.00 t each: 1,000.00 t attributed): the mean of the last four is 1,000,000.00
 * yuan and 1,000.00 t. In 2022Q3 AT lends 5,000,000.00 yuan on a project of 5,000,000.00 yuan and 5,000.00 t
 * (exactly 5×: no finding); UP lends 5,000,000.01 yuan on a project of 5,000,000.01 yuan and 5,000.00 t (the
 * amount above 5×, the reduction exactly 5×). Bank CF lends 500,000.00 yuan in 2022Q2 to borrower X's
 * project 东海风电 of 1,000,000.00 yuan and 1,000.00 t, and 400,000.00 yuan in 2022Q3 to the same borrower and
 * project under another reference stating 2,000,000.00 yuan: conflicting facts.
 * The tests of this file run in order.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { BUILT_IN_POLICY_DATA, replacePolicyData } from '../../domain/policy/index.js';
import { createInstitution } from '../factories/institutions.js';
import { validCreditCode } from '../factories/loans.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

type Bank = { id: string; code: string; apiKey: string };
let t: TestApp;
let jobs: JobRuntime;
const banks: Record<'at' | 'up' | 'cf', Bank> = {} as never;
const QUARTERS = [
  ['2021Q3', '2021-08-10'],
  ['2021Q4', '2021-11-10'],
  ['2022Q1', '2022-02-10'],
  ['2022Q2', '2022-05-10'],
] as const;

const checksOf = async (bank: Bank, quarter = '2022Q3') => {
  const res = await request(t.app).get(`/api/v1/disclosures/${bank.code}/${quarter}/checks`).set(bearer(bank.apiKey));
  expect(res.status).toBe(200);
  return res.body as { submittable: boolean; findings: { kind: string; check: string; subject: string; message: string }[] };
};
const names = (body: { findings: { kind: string; check: string; subject: string }[] }) =>
  body.findings.map((f) => `${f.kind}:${f.check}:${f.subject}`);

const borrower = { name: '东海新能源有限公司', creditCode: validCreditCode(9001) };

async function lend(bank: Bank, ref: string, principal: string, disbursedOn: string, project: Record<string, string> = {}, own = false) {
  const id = await submitLoan(t, bank.apiKey, {
    loanRef: `${ref}-${bank.code}`,
    ...(own ? { borrower } : {}),
    principal,
    disbursedOn,
    maturesOn: '2031-12-31',
    project: { ref: `P-${ref}-${bank.code}`, totalInvestment: principal, annualReductionTonnes: '1000.00', ...project },
  });
  return { id, principalFen: BigInt(principal.replace('.', '')) };
}

/** Compiles a quarter and waits for the versions of the banks with loans by then (bank CF's first is of 2022Q2). */
async function compile(quarter: string) {
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter }).expect(202);
  for (const bank of Object.values(banks).filter((b) => b !== banks.cf || quarter >= '2022Q2'))
    await eventually(
      async () => (await request(t.app).get(`/api/v1/disclosures/${bank.code}/${quarter}`).set(bearer(bank.apiKey))).status === 200,
      `${bank.code} ${quarter} compiled`,
    );
}

beforeAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
  jobs = await startJobs(t);
  for (const key of ['at', 'up', 'cf'] as const)
    banks[key] = await createInstitution(t, { code: uniqueCode(`H${key.toUpperCase()}`), eligibleFrom: '2021-07-01' });
  for (const key of ['at', 'up', 'cf'] as const) {
    const bank = banks[key];
    const loans = [];
    if (key === 'cf') {
      loans.push(await lend(bank, 'X1', '500000.00', '2022-05-10', { name: '东海风电', totalInvestment: '1000000.00' }, true));
      loans.push(await lend(bank, 'X2', '400000.00', '2022-08-10', { name: '东海风电', totalInvestment: '2000000.00' }, true));
    } else for (const [q, on] of QUARTERS) loans.push(await lend(bank, q, '1000000.00', on));
    if (key === 'at') loans.push(await lend(bank, 'Q3', '5000000.00', '2022-08-10', { annualReductionTonnes: '5000.00' }));
    if (key === 'up') loans.push(await lend(bank, 'Q3', '5000000.01', '2022-08-10', { annualReductionTonnes: '5000.00' }));
    await supportLoans(t, bank.id, loans);
  }
  for (const [q] of QUARTERS) await compile(q);
  await compile('2022Q3');
}, 180_000);
afterAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  await stopJobs(jobs);
  await t.close();
});

describe('checks against earlier quarters', () => {
  it('when the quarter is exactly 5× the mean of the last four, then no finding; 0.01 yuan more, then a quality finding on the amount alone', async () => {
    expect(names(await checksOf(banks.at))).toEqual([]);
    const up = await checksOf(banks.up);
    expect(names(up)).toEqual(['quality:quarter_far_from_last_four:quarter:amount']);
    expect(up.submittable).toBe(false);
    expect(up.findings[0].message).toContain('5000000.01 yuan is more than 5× the mean of the last 4 compiled quarter(s)');
    expect(up.findings[0].message).toContain('1000000.00 yuan');
  });

  it("when one borrower's project states another total investment in a later quarter under another reference, then conflicting facts", async () => {
    const cf = await checksOf(banks.cf);
    const conflict = cf.findings.filter((f) => f.check === 'conflicting_project_facts');
    expect(conflict).toHaveLength(1);
    expect(conflict[0].subject).toMatch(/^borrower:.+:东海风电$/);
    expect(conflict[0].message).toContain('total investment 2000000.00 yuan');
    expect(conflict[0].message).toContain('2022Q2');
    // in 2022Q2 the project had one set of facts: nothing conflicted then
    expect((await checksOf(banks.cf, '2022Q2')).findings.map((f) => f.check)).not.toContain('conflicting_project_facts');
  });

  it('when a second operator confirms a factor of 6 from 2022-10-01, then 2022Q3 (ending 2022-09-30) is judged as before; from 2022-09-30, the finding is gone', async () => {
    const propose = async (effectiveFrom: string) => {
      const body = {
        kind: 'check_thresholds',
        reason: 'the ramp-up of 2022 was steep',
        effectiveFrom,
        note: 'quarter jump 6×',
        intensity: { minTonnesPerWanYuan: '0', maxTonnesPerWanYuan: '100' },
        rateFromLprMaxBp: 200,
        quarterJumpFactor: '6',
        projectSharePercent: '25',
        areaSharePercent: '60',
        sharesMinInstitutions: 10,
      };
      const proposed = await request(t.app).post('/api/v1/policy/changes').set(bearer(t.operatorKey)).send(body);
      expect(proposed.status).toBe(201);
      // four eyes: the proposer cannot confirm it
      expect(
        (await request(t.app).post(`/api/v1/policy/changes/${proposed.body.id}/confirm`).set(bearer(t.operatorKey)).send({})).status,
      ).toBe(403);
      expect(
        (await request(t.app).post(`/api/v1/policy/changes/${proposed.body.id}/confirm`).set(bearer(t.operator2Key!)).send({})).status,
      ).toBe(200);
    };
    await propose('2022-10-01');
    expect(names(await checksOf(banks.up))).toEqual(['quality:quarter_far_from_last_four:quarter:amount']);
    const later = await request(t.app).get('/api/v1/policy/check-thresholds?on=2022-10-01');
    expect(later.body.inForce).toMatchObject({ effectiveFrom: '2022-10-01', quarterJumpFactor: '6' });
    expect(later.body.versions.map((v: { effectiveFrom: string }) => v.effectiveFrom)).toEqual(['2021-07-01', '2022-10-01']);
    expect((await request(t.app).get('/api/v1/policy/check-thresholds?on=2022-09-30')).body.inForce).toMatchObject({
      effectiveFrom: '2021-07-01',
      quarterJumpFactor: '5',
      sharesMinInstitutions: 10,
    });

    await propose('2022-09-30');
    expect(names(await checksOf(banks.up))).toEqual([]);
    expect((await checksOf(banks.up)).submittable).toBe(true);
  });

  it('when a proposal states a factor of 1 and an unknown sub-area, then 422 naming each field, and nothing is proposed', async () => {
    const res = await request(t.app)
      .post('/api/v1/policy/changes')
      .set(bearer(t.operatorKey))
      .send({
        kind: 'check_thresholds',
        reason: 'typo',
        effectiveFrom: '2023-01-01',
        note: 'bad',
        intensity: { minTonnesPerWanYuan: '0', maxTonnesPerWanYuan: '100' },
        subAreaIntensity: [{ subArea: 'XX.NONE', minTonnesPerWanYuan: '0', maxTonnesPerWanYuan: '10' }],
        rateFromLprMaxBp: 200,
        quarterJumpFactor: '1',
        projectSharePercent: '25',
        areaSharePercent: '60',
        sharesMinInstitutions: 10,
      });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`)).toEqual([
      'subAreaIntensity.0.subArea:unknown_sub_area',
      'quarterJumpFactor:factor_out_of_range',
    ]);
    const listed = await request(t.app).get('/api/v1/policy/changes?kind=check_thresholds').set(bearer(t.operatorKey));
    expect(listed.body.items.map((c: { effectiveOn: string }) => c.effectiveOn).sort()).toEqual(['2022-09-30', '2022-10-01']);
  });
});
