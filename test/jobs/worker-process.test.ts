/** `npm run worker` as its own process: it does the work the service leaves to it, and stops cleanly on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { randomPrefix, type JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { serviceArgs } from '../../scripts/service-command.js';

let t: TestApp;
let service: JobRuntime;
let worker: ChildProcess;
let bank: { id: string; code: string; apiKey: string };
const prefix = randomPrefix();

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  bank = await createInstitution(t, { code: uniqueCode('WP') });
  const id = await submitLoan(t, bank.apiKey, { principal: '5000000.00', disbursedOn: '2022-08-01' });
  await supportLoans(t, bank.id, [{ id, principalFen: 500_000_000n }]);
  // the service side: relay only (CERF_WORKERS=off)
  service = await startJobs(t, { prefix, workers: 'off' });
  worker = spawn(process.execPath, serviceArgs('jobs/worker.ts'), {
    env: {
      ...process.env,
      DATABASE_URL: (t.database as unknown as { url: string }).url,
      REDIS_URL: inject('redisUrl'),
      CERF_QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
});
afterAll(async () => {
  if (worker.exitCode === null) worker.kill('SIGKILL');
  await stopJobs(service);
  await t.close();
});

describe('npm run worker', () => {
  it('when the service runs no workers, then a worker process compiles the quarter, and SIGTERM stops it with exit code 0', async () => {
    await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
    const d = await eventually(async () => {
      const r = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'compiled by the worker process');
    expect(d.horizons.quarter).toMatchObject({
      projects: 1,
      loanAmountWanYuan: '500.00',
      weightedAverageRatePercent: '3.80',
      annualReductionTonnes: '1312.50',
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
