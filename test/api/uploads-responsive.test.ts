/**
 * A large upload does not stop the service: while the job writes a 20,000-row loans file (on PGlite a
 * chunk per transaction, the requests waiting for the one connection going first between chunks),
 * status polls are answered and see the upload running, its rows read growing chunk by chunk, and the
 * file is written whole. Run it on the embedded database with TEST_DRIVER=pglite; UPLOAD_ROWS sets the
 * size (e.g. 150000).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { csvFile, loanCells, sendUpload } from '../factories/uploads.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

const ROWS = Number(process.env.UPLOAD_ROWS ?? 20_000);

let t: TestApp;
let jobs: JobRuntime;
let bank: { code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('a large upload while others ask', () => {
  it(
    `when ${ROWS} rows are processed, then status polls are answered while it runs and see its rows grow`,
    async () => {
      const file = csvFile(
        'loans',
        Array.from({ length: ROWS }, () => loanCells(loanRequest({ principal: '1000000.00' }))),
      );
      const sent = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'large.csv' });
      expect(sent.status).toBe(202);

      const seen: { status: number; upload: string; rowsRead: number }[] = [];
      for (;;) {
        const res = await request(t.app).get(`/api/v1/uploads/${sent.body.id}`).set(bearer(bank.apiKey));
        seen.push({ status: res.status, upload: res.body.status, rowsRead: res.body.rowsRead });
        if (['completed', 'refused', 'failed'].includes(res.body.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // every poll answered; some while the job ran, and those saw the rows read grow
      expect(seen.every((s) => s.status === 200)).toBe(true);
      const running = seen.filter((s) => s.upload === 'running');
      expect(running.length).toBeGreaterThanOrEqual(1);
      expect(new Set(running.map((s) => s.rowsRead)).size).toBeGreaterThanOrEqual(2);

      const done = seen[seen.length - 1];
      expect(done).toMatchObject({ upload: 'completed', rowsRead: ROWS });
      const finished = await request(t.app).get(`/api/v1/uploads/${sent.body.id}`).set(bearer(bank.apiKey));
      expect(finished.body.counts).toEqual({ created: ROWS, unchanged: 0, error: 0 });
    },
    PROCESS_TEST_MS,
  );
});
