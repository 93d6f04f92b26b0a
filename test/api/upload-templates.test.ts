/** The upload templates: a bank downloads one per kind of file, fills it in, and the upload reads it as the template says. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { ExcelJS } from '../../platform/excel.js';
import { UPLOAD_COLUMNS } from '../../schemas/uploads.js';
import { startJobs, stopJobs } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { uploadAndWait } from '../factories/uploads.js';
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

const download = (path: string) =>
  request(t.app)
    .get(path)
    .buffer(true)
    .parse((res, done) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => done(null, Buffer.concat(parts)));
    });

describe('the upload templates', () => {
  it('when the loans template is downloaded as CSV and uploaded as it is, then its example row is recorded', async () => {
    const res = await download('/api/v1/uploads/templates/loans.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="cerf-upload-template-loans.csv"');
    const [header, example, ...rest] = (res.body as Buffer)
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split(/\r?\n/);
    expect(header.split(',')).toEqual([...UPLOAD_COLUMNS.loans]);
    expect(rest).toEqual([]);
    expect(example.split(',')).toEqual(expect.arrayContaining(['L-2022-000123', '300000000.00', '3.45', '2022-08-15', 'CE.WIND']));
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file: res.body as Buffer, name: 'template.csv' });
    expect(done).toMatchObject({ status: 'completed', counts: { created: 1, unchanged: 0, error: 0 }, rowsRead: 1 });
  });

  it('when the loans template is downloaded as XLSX, then its first sheet is the same row and its rules sheet names each column’s rules', async () => {
    const res = await download('/api/v1/uploads/templates/loans.xlsx');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/spreadsheetml/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as never);
    expect(book.worksheets.map((s) => s.name)).toEqual(['loans', 'rules']);
    const values = (n: number, sheet = book.worksheets[0]) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual([...UPLOAD_COLUMNS.loans]);
    expect(values(2)[UPLOAD_COLUMNS.loans.indexOf('principal')]).toBe('300000000.00');
    const rules = book.worksheets[1];
    const ruleOf = (column: string) => values(UPLOAD_COLUMNS.loans.indexOf(column) + 2, rules);
    expect(rules.rowCount).toBe(UPLOAD_COLUMNS.loans.length + 1);
    expect(ruleOf('principal')[0]).toBe('principal');
    expect(String(ruleOf('principal')[3])).toContain('project_overfunded');
    expect(String(ruleOf('disbursedOn')[3])).toContain('before_facility_launch');
    expect(String(ruleOf('borrower.creditCode')[2])).toContain('18 characters');
    // the same loan again, from the XLSX: read as the CSV was, so it is unchanged
    const done = await uploadAndWait(t, bank.apiKey, { kind: 'loans', file: res.body as Buffer, name: 'template.xlsx' });
    expect(done).toMatchObject({ status: 'completed', counts: { created: 0, unchanged: 1, error: 0 } });
  });

  it('when the repayments and amendments templates are read, then they hold their own columns, and an unknown kind is refused naming it', async () => {
    for (const kind of ['repayments', 'amendments'] as const) {
      const res = await download(`/api/v1/uploads/templates/${kind}.csv`);
      const [header, example] = (res.body as Buffer)
        .toString('utf8')
        .replace(/^\ufeff/, '')
        .trim()
        .split(/\r?\n/);
      expect(header.split(',')).toEqual([...UPLOAD_COLUMNS[kind]]);
      expect(example.split(',').every((cell) => cell !== '')).toBe(true);
    }
    const wrong = await request(t.app).get('/api/v1/uploads/templates/bonds.xlsx').set(bearer(bank.apiKey));
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ path: 'kind' });
  });
});
