/**
 * A quarter's compilation in parts (app/disclosures/compile-quarter.ts): the banks are split into parts,
 * each part's job reads its banks' loans once and stores every bank's version; a bank whose version fails
 * does not hold back the others, and is compiled by its own job once the fault is gone.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, refuseVersionsOf, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { get, post } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

const disclosure = async (code: string, key: string) => {
  const res = await request(t.app).get(`/api/v1/disclosures/${code}/2022Q3`).set(bearer(key));
  return res.status === 200 ? res.body : null;
};

describe("a quarter's compilation in parts", () => {
  it('when one bank’s version cannot be stored, then the other banks get theirs, the bank’s own compile job fails, and a retry once the fault is gone compiles it', async () => {
    const banks = [];
    for (const [i, principal] of ['1000000.00', '2000000.00', '3000000.00'].entries()) {
      const bank = await createInstitution(t, { code: uniqueCode(`PART${i}`) });
      const loanId = await submitLoan(t, bank.apiKey, {
        principal,
        annualRatePercent: '3.80',
        disbursedOn: '2022-08-01',
        maturesOn: '2025-08-01',
      });
      await supportLoans(t, bank.id, [{ id: loanId, principalFen: BigInt(principal.replace('.', '')) }], 'approved');
      banks.push(bank);
    }
    const faulty = banks[1];
    const allowVersions = await refuseVersionsOf(t, faulty);
    try {
      jobs = await startJobs(t, { retry: { attempts: 2, backoffMs: 50 } });
      const asked = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
      expect(asked.status).toBe(202);
      const failing = await eventually(async () => {
        const r = await get(t, t.operatorKey, '/api/v1/jobs/failed');
        return (r.body.items as { jobId: string }[] | undefined)?.find((j) => j.jobId === `compile.${faulty.code}.2022Q3.v1`);
      }, "the faulty bank's compile job failing");
      expect(failing).toBeTruthy();
      for (const bank of [banks[0], banks[2]])
        expect((await eventually(() => disclosure(bank.code, bank.apiKey), bank.code)).horizons.quarter).toMatchObject({ projects: 1 });
      expect(await disclosure(faulty.code, faulty.apiKey)).toBeNull();
    } finally {
      await allowVersions();
    }
    expect((await post(t, t.operatorKey, `/api/v1/jobs/compile.${faulty.code}.2022Q3.v1/retry`)).status).toBe(202);
    const late = await eventually(() => disclosure(faulty.code, faulty.apiKey), 'the retried compile');
    expect(late.horizons.quarter).toMatchObject({ projects: 1, loanAmountWanYuan: '200.00', weightedAverageRatePercent: '3.80' });
  });
});
