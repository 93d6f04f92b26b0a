/** CSV and JSON downloads of what a page shows, CSV through the one guarded writer (platform/csv.ts). */
import type { Response } from 'express';
import { toCsv, writeCsv, type Csv, type CsvValue } from '../platform/csv.js';

export function sendCsv(res: Response, filename: string, csv: Csv) {
  res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`).send(toCsv(csv));
}

/** A CSV written as its records are read, a page at a time (constant memory whatever its size). */
export async function streamCsv<T>(
  res: Response,
  filename: string,
  columns: readonly string[],
  pages: AsyncIterable<readonly T[]>,
  toRow: (record: T) => readonly CsvValue[],
) {
  res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`);
  async function* rows() {
    for await (const page of pages) yield page.map(toRow);
  }
  await writeCsv(res, columns, rows());
}

export function sendJsonDownload(res: Response, filename: string, body: unknown) {
  res
    .type('application/json; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .send(JSON.stringify(body, null, 2));
}

/** `CITIC.csv` → { name: 'CITIC', format: 'csv' }; without a suffix the format is 'html'. */
export function splitFormat(segment: string): { name: string; format: 'html' | 'csv' | 'json' } {
  const m = /^(.*)\.(csv|json)$/.exec(segment);
  return m ? { name: m[1], format: m[2] as 'csv' | 'json' } : { name: segment, format: 'html' };
}
