/**
 * A large upload does not stop the service: while the job writes a 12,000-row loans file (on PGlite a
 * chunk per transaction, the requests waiting for the one connection going first between chunks,
 * db/give-way.ts), every status poll is answered, and one sees the upload running partway — some rows
 * read and some progress, not all — before it completes; the file is then written whole. Nothing is
 * timed: how long the answers take is measured by `npm run bench -- responsive`. It is the embedded
 * database's question (one connection), so it runs with TEST_DRIVER=pglite (the suite's second pass): on a
 * PostgreSQL server the job reads the file several chunks ahead of the rows it writes, so its rows read
 * jump from none to all while the database is still writing. UPLOAD_ROWS sets the size (e.g. 150000).
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

const ROWS = Number(process.env.UPLOAD_ROWS ?? 12_000);

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

describe.runIf(process.env.TEST_DRIVER === 'pglite')('a large upload while others ask', () => {
  it(
    `when ${ROWS} rows are processed, then every status poll is answered and one sees it running partway`,
    async () => {
      const file = csvFile(
        'loans',
        Array.from({ length: ROWS }, () => loanCells(loanRequest({ principal: '1000000.00' }))),
      );
      const sent = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'large.csv' });
      expect(sent.status).toBe(202);

      const seen: { status: number; upload: string; rowsRead: number; progressPercent: number }[] = [];
      for (;;) {
        const res = await request(t.app).get(`/api/v1/uploads/${sent.body.id}`).set(bearer(bank.apiKey));
        seen.push({ status: res.status, upload: res.body.status, rowsRead: res.body.rowsRead, progressPercent: res.body.progressPercent });
        if (['completed', 'refused', 'failed'].includes(res.body.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // every poll answered; one, before the end, saw the upload running partway: some rows read, not all
      expect(seen.every((s) => s.status === 200)).toBe(true);
      const partway = seen.filter((s) => s.upload === 'running' && s.rowsRead > 0 && s.rowsRead < ROWS && s.progressPercent > 0);
      expect(partway.length, JSON.stringify(seen.slice(0, 20))).toBeGreaterThanOrEqual(1);
      expect(partway.every((s) => s.progressPercent < 100)).toBe(true);

      const done = seen[seen.length - 1];
      expect(done).toMatchObject({ upload: 'completed', rowsRead: ROWS });
      const finished = await request(t.app).get(`/api/v1/uploads/${sent.body.id}`).set(bearer(bank.apiKey));
      expect(finished.body.counts).toEqual({ created: ROWS, unchanged: 0, error: 0 });
    },
    PROCESS_TEST_MS,
  );
});
