/**
 * A large upload's rows may be checked on worker threads (app/uploads/checked-chunks.ts; the machine's
 * cores decide, UPLOAD_CHECK_THREADS here) or on the job's thread: the bank gets the same error report either way, every fault of a row at once, on
 * the rows where the file has them, across the chunks the file is written in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { WORKER_CHECK_MIN_BYTES } from '../../app/uploads/checked-chunks.js';
import { UPLOAD_CHUNK_ROWS } from '../../app/uploads/process-upload.js';
import { startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { csvFile, loanCells, uploadAndWait, xlsxFile } from '../factories/uploads.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t);
});
afterAll(async () => {
  delete process.env.UPLOAD_CHECK_THREADS;
  await stopJobs(jobs);
  await t.close();
});

/** Two chunks and a bit: rows spoiled in the first chunk, on both sides of a chunk's end, and in the last row. */
const ROWS = 2 * UPLOAD_CHUNK_ROWS + 500;

function spoiledFile() {
  const rows = Array.from({ length: ROWS }, () => loanCells(loanRequest()));
  // file row n is rows[n - 2] (row 1 is the header)
  const at = (fileRow: number) => rows[fileRow - 2];
  Object.assign(at(3), { principal: '-5', disbursedOn: '2022-13-45' }); // two faults of the row's shape
  Object.assign(at(UPLOAD_CHUNK_ROWS + 1), { 'borrower.creditCode': '91110108MA01234567' }); // a rule, last row of chunk 1
  Object.assign(at(UPLOAD_CHUNK_ROWS + 2), { 'project.subArea': 'CE.NOPE' }); // first row of chunk 2
  Object.assign(at(ROWS + 1), { annualRatePercent: 'abc', maturesOn: '', loanRef: '' }); // three faults, last row
  return rows;
}

const shapeOf = (errors: { row: number; column: string; rule: string }[]) => errors.map(({ row, column, rule }) => ({ row, column, rule }));

describe('checking a large upload on worker threads', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(
      `when a large ${format.toUpperCase()} has faults in several chunks, then the report is the one the job's own thread gives: same rows, same messages, every fault of a row`,
      async () => {
        const rows = spoiledFile();
        const file = format === 'csv' ? csvFile('loans', rows) : await xlsxFile('loans', rows);
        expect(file.length).toBeGreaterThanOrEqual(WORKER_CHECK_MIN_BYTES);

        process.env.UPLOAD_CHECK_THREADS = '2';
        const onWorkers = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: `large.${format}` });
        process.env.UPLOAD_CHECK_THREADS = '0';
        const inThread = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: `large-again.${format}` });
        delete process.env.UPLOAD_CHECK_THREADS;

        expect(onWorkers.status).toBe('refused');
        expect(onWorkers.counts).toEqual({ created: 0, unchanged: 0, error: 4 });
        expect(onWorkers.rowsRead).toBe(ROWS);
        expect(shapeOf(onWorkers.errors)).toEqual([
          { row: 3, column: 'principal', rule: 'invalid_money' },
          { row: 3, column: 'disbursedOn', rule: expect.any(String) },
          { row: UPLOAD_CHUNK_ROWS + 1, column: 'borrower.creditCode', rule: 'invalid_credit_code' },
          { row: UPLOAD_CHUNK_ROWS + 2, column: 'project.subArea', rule: 'unknown_sub_area' },
          ...shapeOf(onWorkers.errors.filter((e: { row: number }) => e.row === ROWS + 1)),
        ]);
        const lastRow = onWorkers.errors.filter((e: { row: number }) => e.row === ROWS + 1).map((e: { column: string }) => e.column);
        expect(lastRow.sort()).toEqual(['annualRatePercent', 'loanRef', 'maturesOn']);
        // identical to the report of the job's own thread, message for message
        expect(onWorkers.errors).toEqual(inThread.errors);
        expect(onWorkers.counts).toEqual(inThread.counts);
      },
      PROCESS_TEST_MS,
    );
  }

  it(
    'when the large file is good, then every row is written, once',
    async () => {
      const file = csvFile(
        'loans',
        Array.from({ length: ROWS }, () => loanCells(loanRequest())),
      );
      const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: 'large-good.csv' });
      expect(done).toMatchObject({ status: 'completed', counts: { created: ROWS, unchanged: 0, error: 0 }, rowsRead: ROWS });
      const again = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: 'large-good-again.csv' });
      expect(again).toMatchObject({ status: 'completed', counts: { created: 0, unchanged: ROWS, error: 0 } });
      delete process.env.UPLOAD_CHECK_THREADS;
    },
    PROCESS_TEST_MS,
  );
});
