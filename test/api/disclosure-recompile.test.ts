import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  jobs = await startJobs(t);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('compiling a quarter again', () => {
  it('when a quarter was compiled before any support was booked, then compiling it again once support exists produces the disclosure', async () => {
    const first = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(first.body).toMatchObject({ jobId: 'compile-quarter.2022Q3', new: true, banks: [] });
    await eventually(
      async () => (await jobs.health()).outbox.some((row) => row.queue === 'compile' && row.status === 'done'),
      'empty run done',
    );

    const bank = await createInstitution(t, { code: uniqueCode('LATE') });
    const loanId = await submitLoan(t, bank.apiKey, {
      principal: '1000000.00',
      annualRatePercent: '3.80',
      disbursedOn: '2022-08-01',
      maturesOn: '2025-08-01',
    });
    await supportLoans(t, bank.id, [{ id: loanId, principalFen: 100_000_000n }], 'approved');

    const second = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(second.body).toMatchObject({ jobId: 'compile-quarter.2022Q3.r2', new: true, banks: [bank.code] });
    const disclosure = await eventually(async () => {
      const res = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`).set(bearer(bank.apiKey));
      return res.status === 200 ? res.body : null;
    }, 'late disclosure');
    expect(disclosure.horizons.quarter).toMatchObject({ projects: 1, loanAmountWanYuan: '100.00', weightedAverageRatePercent: '3.80' });
    // the second run's parts are not runs: asking once more is the third run
    await eventually(
      async () => (await jobs.health()).outbox.every((row) => row.queue !== 'compile' || row.status === 'done'),
      'second run done',
    );
    const third = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(third.body).toMatchObject({ jobId: 'compile-quarter.2022Q3.r3', new: true, banks: [bank.code] });
  });
});
