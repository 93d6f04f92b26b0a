/**
 * A file that cannot be read at all (a damaged XLSX, a CSV of 500,000 columns) ends `failed` with a
 * message a bank can act on, never the parser's or JavaScript's own error text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { loanCells, uploadAndWait, xlsxFile } from '../factories/uploads.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { UPLOAD_FAILURES } from '../../app/uploads/upload-failure.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { code: string; apiKey: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2026-03-01T04:00:00Z' });
  jobs = await startJobs(t, { retry: { attempts: 1 } });
  bank = await createInstitution(t);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('a file that cannot be read', () => {
  it('when an XLSX is damaged, then the upload fails saying the file is not a readable XLSX workbook, in the bank’s words', async () => {
    const good = await xlsxFile('loans', [loanCells(loanRequest())]);
    // the workbook's first bytes (a zip's header) and then nothing that makes sense
    const damaged = Buffer.concat([good.subarray(0, 200), Buffer.alloc(5_000, 0x41)]);
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file: damaged, name: 'damaged.xlsx' });
    expect(done).toMatchObject({ status: 'failed', failure: UPLOAD_FAILURES.unreadable });
    expect(done.failure).toContain('The file could not be read');
  });

  it('when a CSV has 500,000 columns, then the upload fails saying a row is too long, in the bank’s words', async () => {
    const header = Array.from({ length: 500_000 }, (_, i) => `c${i}`).join(',');
    const file = Buffer.from(`${header}\n${header}\n`);
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: 'wide.csv' });
    expect(done).toMatchObject({ status: 'failed', failure: UPLOAD_FAILURES.tooWide });
    expect(done.failure).toContain('A row of the file is far longer than the template');
  });
});
