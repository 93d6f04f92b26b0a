/** Files a bank uploads (CSV, XLSX) built from loan requests, and the upload round trip through the API. */
import { ExcelJS } from '../../platform/excel.js';
import request from 'supertest';
import { stringify } from 'csv-stringify/sync';
import { LOAN_COLUMNS, UPLOAD_COLUMNS, type UploadKind } from '../../schemas/uploads.js';
import type { LoanRequest } from './loans.js';
import { bearer, type TestApp } from '../support/harness.js';
import { eventually } from './disclosures.js';

/** A loan request as the flat row of a loans file (column → text). */
export function loanCells(loan: LoanRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const column of LOAN_COLUMNS) {
    let at: unknown = loan;
    for (const part of column.split('.')) at = (at as Record<string, unknown>)[part];
    out[column] = String(at ?? '');
  }
  return out;
}

const table = (kind: UploadKind, rows: Record<string, string>[]) => {
  const columns = UPLOAD_COLUMNS[kind];
  return [columns as string[], ...rows.map((r) => columns.map((c) => r[c] ?? ''))];
};

export const csvFile = (kind: UploadKind, rows: Record<string, string>[]) => Buffer.from(stringify(table(kind, rows)));

export async function xlsxFile(kind: UploadKind, rows: Record<string, string>[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(kind);
  for (const r of table(kind, rows)) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** POST /api/v1/uploads; returns the response (202 with the job, or a problem). */
export function sendUpload(
  t: TestApp,
  key: string,
  input: { kind: string; file: Buffer; name: string; writeGoodRows?: boolean; idempotencyKey?: string },
) {
  let req = request(t.app).post('/api/v1/uploads').set(bearer(key));
  if (input.idempotencyKey) req = req.set('Idempotency-Key', input.idempotencyKey);
  req = req.field('kind', input.kind);
  if (input.writeGoodRows !== undefined) req = req.field('writeGoodRows', String(input.writeGoodRows));
  return req.attach('file', input.file, input.name);
}

/** Polls the upload until it is finished (completed, refused or failed) and returns it. */
export async function finishedUpload(t: TestApp, key: string, id: string) {
  return eventually(async () => {
    const res = await request(t.app).get(`/api/v1/uploads/${id}`).set(bearer(key));
    return ['completed', 'refused', 'failed'].includes(res.body.status) ? res.body : undefined;
  }, `upload ${id}`);
}

/** Uploads a file and waits for its outcome. */
export async function uploadAndWait(t: TestApp, key: string, input: Parameters<typeof sendUpload>[2]) {
  const res = await sendUpload(t, key, input);
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  return finishedUpload(t, key, res.body.id);
}
