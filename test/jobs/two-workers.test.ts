/** Two worker processes' worth of runtimes on the same queues and database never double-process a job: a quarter's fan-out and its parts. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { like } from 'drizzle-orm';
import { disclosureVersions, outbox } from '../../db/schema/index.js';
import { randomPrefix, type JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

const BANKS = 12;
let t: TestApp;
let first: JobRuntime;
let second: JobRuntime;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  for (let i = 0; i < BANKS; i++) {
    const bank = await createInstitution(t, { code: uniqueCode('TW') });
    const id = await submitLoan(t, bank.apiKey, { principal: '5000000.00', disbursedOn: '2022-08-01' });
    await supportLoans(t, bank.id, [{ id, principalFen: 500_000_000n }]);
  }
  const prefix = randomPrefix();
  first = await startJobs(t, { prefix, workerName: 'worker-a' });
  second = await startJobs(t, { prefix, workerName: 'worker-b', plug: false });
});
afterAll(async () => {
  await stopJobs(second);
  await stopJobs(first);
  await t.close();
});

describe('two workers on the same queue', () => {
  it('when two runtimes relay and work the same compile jobs, then each job runs exactly once', async () => {
    const res = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(res.status).toBe(202);
    // the fan-out and its part (a small quarter is read in one part, which stores every bank's version)
    const rows = await eventually(async () => {
      const r = await t.database.db.select().from(outbox).where(like(outbox.jobId, 'compile-quarter.2022Q3%'));
      return r.length === 2 && r.every((x) => x.status === 'done') ? r : undefined;
    }, 'the fan-out and its parts done');
    expect(rows.map((r) => r.jobId).sort()).toEqual(['compile-quarter.2022Q3', 'compile-quarter.2022Q3.part1']);
    // `attempts` counts every start of a job's processor
    expect(rows.map((r) => r.attempts)).toEqual([1, 1]);
    const processedBy = new Set<string>();
    for (const row of rows) {
      const job = await first.queues.compile.getJob(row.jobId);
      processedBy.add(String(job?.processedBy));
    }
    expect([...processedBy].every((w) => w === 'worker-a' || w === 'worker-b')).toBe(true);
    expect(await t.database.db.select().from(disclosureVersions)).toHaveLength(BANKS);
  });
});
