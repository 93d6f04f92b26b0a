import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { processUpload } from '../../app/uploads/process-upload.js';
import { readRows } from '../../app/uploads/read-rows.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { createLoan } from '../factories/refinancing.js';
import { csvFile, finishedUpload, loanCells, sendUpload, uploadAndWait, xlsxFile } from '../factories/uploads.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

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

const get = (path: string, key = bank.apiKey) => request(t.app).get(path).set(bearer(key));
const loanCount = async () => {
  let n = 0;
  let cursor: string | null = null;
  do {
    const res: request.Response = await get(`/api/v1/loans?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    n += res.body.items.length;
    cursor = res.body.nextCursor;
  } while (cursor);
  return n;
};

describe('uploading a loans file', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`when a ${format.toUpperCase()} of good loans is uploaded, then the job answers 202, completes and every loan is recorded`, async () => {
      const loans = [loanRequest(), loanRequest(), loanRequest()];
      const rows = loans.map(loanCells);
      const file = format === 'csv' ? csvFile('loans', rows) : await xlsxFile('loans', rows);
      const before = await loanCount();
      const sent = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: `loans.${format}` });
      expect(sent.status).toBe(202);
      expect(sent.headers.location).toBe(`/api/v1/uploads/${sent.body.id}`);
      expect(sent.body).toMatchObject({ kind: 'loans', format, status: 'queued' });
      const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: `again.${format}` });
      expect(done).toMatchObject({ status: 'completed', counts: { created: 0, unchanged: 3, error: 0 }, rowsRead: 3 });
      expect(await loanCount()).toBe(before + 3);
      const res = await get(`/api/v1/loans?projectRef=${encodeURIComponent(loans[1].project.ref)}`);
      expect(res.body.items[0]).toMatchObject({
        loanRef: loans[1].loanRef,
        principal: '300000000.00',
        attributedAnnualReductionTonnes: '78750.00',
      });
    });

    it(`when one row of a ${format.toUpperCase()} breaks a rule, then the report names its row, column and rule, and nothing is written`, async () => {
      const loans = [loanRequest(), loanRequest({ project: { subArea: 'CE.NOPE' } }), loanRequest()];
      const rows = loans.map(loanCells);
      rows[2]['borrower.creditCode'] = '91110108MA01234567';
      const file = format === 'csv' ? csvFile('loans', rows) : await xlsxFile('loans', rows);
      const before = await loanCount();
      const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: `bad.${format}` });
      expect(done.status).toBe('refused');
      expect(done.counts).toEqual({ created: 0, unchanged: 0, error: 2 });
      expect(done.errors).toEqual([
        expect.objectContaining({ row: 3, column: 'project.subArea', rule: 'unknown_sub_area' }),
        expect.objectContaining({ row: 4, column: 'borrower.creditCode', rule: 'invalid_credit_code' }),
      ]);
      expect(await loanCount()).toBe(before);
      const report = await get(done.errorsCsv);
      expect(report.status).toBe(200);
      expect(report.headers['content-type']).toMatch(/text\/csv/);
      const lines = report.text
        .replace(/^\ufeff/, '')
        .trim()
        .split('\r\n'); // RFC 4180 line ends, like every CSV of the service
      expect(lines[0]).toBe('row,column,rule,message');
      expect(lines[1]).toMatch(/^3,project\.subArea,unknown_sub_area,/);
      expect(lines[2]).toMatch(/^4,borrower\.creditCode,invalid_credit_code,/);
    });
  }

  it('when the bank chooses to write the good rows, then the good rows are recorded and the bad one is reported', async () => {
    const loans = [loanRequest(), loanRequest({ principal: '-5' }), loanRequest()];
    const before = await loanCount();
    const done = await uploadAndWait(t, bank.apiKey, {
      kind: 'loans',
      file: csvFile('loans', loans.map(loanCells)),
      name: 'partial.csv',
      writeGoodRows: true,
    });
    expect(done).toMatchObject({ status: 'completed', counts: { created: 2, unchanged: 0, error: 1 } });
    expect(done.errors).toEqual([expect.objectContaining({ row: 3, column: 'principal', rule: 'invalid_money' })]);
    expect(await loanCount()).toBe(before + 2);
  });

  it('when the file is larger than an ordinary API body (a core-banking export of many megabytes), then it is taken and read row by row', async () => {
    const cells = loanCells(loanRequest());
    const file = csvFile('loans', [{ ...cells, 'borrower.name': 'x'.repeat(3 * 1024 * 1024) }]);
    expect(file.length).toBeGreaterThan(3 * 1024 * 1024);
    const sent = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'large.csv' });
    expect(sent.status).toBe(202);
    const done = await finishedUpload(t, bank.apiKey, sent.body.id);
    expect(done.status).toBe('refused');
    expect(done.errors).toContainEqual(expect.objectContaining({ row: 2, column: 'borrower.name' }));
  });

  it('when a column is unknown or missing, then row 1 names it and nothing is written', async () => {
    const file = Buffer.from('loanRef,colour\nX-1,red\n');
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: 'odd.csv', writeGoodRows: true });
    expect(done.status).toBe('refused');
    expect(done.errors).toContainEqual(expect.objectContaining({ row: 1, column: 'colour', rule: 'unknown_column' }));
    expect(done.errors).toContainEqual(expect.objectContaining({ row: 1, column: 'principal', rule: 'missing_column' }));
  });

  it('when the request is retried with the same Idempotency-Key, then the same job answers and the loans are written once', async () => {
    const loans = [loanRequest(), loanRequest()];
    const file = csvFile('loans', loans.map(loanCells));
    const before = await loanCount();
    const first = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'k.csv', idempotencyKey: 'upload-k-1' });
    const again = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'k.csv', idempotencyKey: 'upload-k-1' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file, name: 'k2.csv' });
    expect(done.counts).toEqual({ created: 0, unchanged: 2, error: 0 });
    expect(await loanCount()).toBe(before + 2);
  });

  it('when an Idempotency-Key is sent again with another file or another kind, then it is refused 409 and nothing is queued', async () => {
    const file = csvFile('loans', [loanCells(loanRequest())]);
    const other = csvFile('loans', [loanCells(loanRequest())]);
    const first = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'a.csv', idempotencyKey: 'upload-k-2' });
    expect(first.status).toBe(202);
    const stored = async () =>
      ((await t.database.db.execute(sql.raw('select count(*)::int as n from uploads'))) as unknown as { rows: { n: number }[] }).rows[0].n;
    const before = await stored();
    const otherFile = await sendUpload(t, bank.apiKey, { kind: 'loans', file: other, name: 'a.csv', idempotencyKey: 'upload-k-2' });
    expect(otherFile.status).toBe(409);
    expect(otherFile.body.code).toBe('idempotency_key_reused');
    const otherKind = await sendUpload(t, bank.apiKey, { kind: 'amendments', file, name: 'a.csv', idempotencyKey: 'upload-k-2' });
    expect(otherKind.status).toBe(409);
    expect(otherKind.body.code).toBe('idempotency_key_reused');
    // the same file under another name is the same request: the file's bytes decide, not its name
    const renamed = await sendUpload(t, bank.apiKey, { kind: 'loans', file, name: 'b.csv', idempotencyKey: 'upload-k-2' });
    expect(renamed.status).toBe(202);
    expect(renamed.body.id).toBe(first.body.id);
    expect(await stored()).toBe(before);
  });

  it('when the upload job runs again after it finished (a retry after a crash), then nothing is written twice', async () => {
    const { id } = (await sendUpload(t, bank.apiKey, { kind: 'repayments', file: Buffer.from('loanRef,repaidOn,amount\n'), name: 'r.csv' }))
      .body as { id: string };
    const loan = await createLoan(t, bank.apiKey, { principal: '1000.00' });
    const file = csvFile('repayments', [{ loanRef: loan.loanRef, repaidOn: '2026-01-10', amount: '100.00' }]);
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'repayments', file, name: 'r.csv' });
    expect(done).toMatchObject({ status: 'completed', counts: { created: 1 } });
    const again = await t.database.db.transaction((tx) =>
      processUpload({ tx, now: new Date('2026-03-01T05:00:00Z'), actor: null }, { uploadId: done.id }),
    );
    expect(again).toMatchObject({ replayed: true, status: 'completed' });
    expect((await get(`/api/v1/loans/${loan.id}`)).body.outstandingPrincipal).toBe('900.00');
    expect(id).toBeTruthy();
  });

  it('when the form lacks the kind or the file, then 422 names the field', async () => {
    const res = await request(t.app)
      .post('/api/v1/uploads')
      .set(bearer(bank.apiKey))
      .field('kind', 'cars')
      .attach('file', Buffer.from('a,b\n'), 'x.csv');
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: 'kind' }));
    const none = await request(t.app).post('/api/v1/uploads').set(bearer(bank.apiKey)).field('kind', 'loans');
    expect(none.status).toBe(422);
    expect(none.body.errors).toContainEqual(expect.objectContaining({ path: 'file', code: 'required' }));
    const other = await createInstitution(t);
    const sent = await sendUpload(t, bank.apiKey, { kind: 'loans', file: Buffer.from('loanRef\n'), name: 'x.csv' });
    expect((await get(`/api/v1/uploads/${sent.body.id}`, other.apiKey)).status).toBe(404);
  });
});

describe('repayments and amendments', () => {
  it('when a repayments file and a JSON batch are sent, then each row goes through the repayment rules', async () => {
    const a = await createLoan(t, bank.apiKey, { principal: '1000.00' });
    const b = await createLoan(t, bank.apiKey, { principal: '1000.00' });
    const file = await xlsxFile('repayments', [
      { loanRef: a.loanRef, repaidOn: '2026-01-10', amount: '100.00' },
      { loanRef: b.loanRef, repaidOn: '2026-01-10', amount: '5000.00' },
    ]);
    const refused = await uploadAndWait(t, bank.apiKey, { kind: 'repayments', file, name: 'r.xlsx' });
    expect(refused.status).toBe('refused');
    expect(refused.errors).toEqual([expect.objectContaining({ row: 3, column: 'amount', rule: 'repayment_exceeds_outstanding' })]);
    expect((await get(`/api/v1/loans/${a.id}`)).body.outstandingPrincipal).toBe('1000.00');

    const batch = await request(t.app)
      .post('/api/v1/repayments/batch')
      .set(bearer(bank.apiKey))
      .send({
        repayments: [
          { loanRef: a.loanRef, repaidOn: '2026-01-10', amount: '100.00' },
          { loanRef: 'NO-SUCH', repaidOn: '2026-01-10', amount: '1.00' },
          { loanRef: b.loanRef, repaidOn: '2027-01-10', amount: '1.00' },
          { loanRef: b.loanRef, repaidOn: '2026-01-10', amount: 'x' },
        ],
      });
    expect(batch.status).toBe(200);
    expect(batch.body.summary).toEqual({ created: 1, error: 3 });
    expect(batch.body.results[0]).toMatchObject({ status: 'created', outstandingPrincipal: '900.00' });
    expect(batch.body.results[1].errors[0]).toMatchObject({ path: 'repayments.1.loanRef', code: 'loan_not_found' });
    expect(batch.body.results[2].errors[0]).toMatchObject({ path: 'repayments.2.repaidOn', code: 'repayment_in_future' });
    expect(batch.body.results[3].errors[0]).toMatchObject({ path: 'repayments.3.amount', code: 'invalid_money' });
    expect((await get(`/api/v1/loans/${a.id}`)).body.outstandingPrincipal).toBe('900.00');
  });

  it('when an amendments file is uploaded, then each loan gets a new version with the reason', async () => {
    const body = loanRequest({ principal: '2000.00' });
    const created = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).send(body);
    const cells = { ...loanCells({ ...body, principal: '1500.00' }), reason: 'principal corrected' };
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'amendments', file: csvFile('amendments', [cells]), name: 'a.csv' });
    expect(done).toMatchObject({ status: 'completed', counts: { created: 1, error: 0 } });
    const loan = (await get(`/api/v1/loans/${created.body.id}`)).body;
    expect(loan).toMatchObject({ principal: '1500.00', version: 2 });
  });
});

describe('reading files', () => {
  it('when an XLSX holds thousands of Chinese cells, then every character is read as written (none split across chunks)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      loanRef: `R-${i}`,
      reason: '内蒙古自治区可行性研究报告',
      repaidOn: '2026-01-10',
      amount: '1.00',
    }));
    const file = await xlsxFile('amendments', rows);
    const read: string[] = [];
    for await (const row of readRows(Readable.from([file]), 'xlsx')) read.push(row.cells.join('|'));
    expect(read).toHaveLength(3001);
    expect(read.filter((r) => r.includes('\ufffd'))).toEqual([]);
    expect(read[2999]).toContain('R-2998|内蒙古自治区可行性研究报告');
  });
});
