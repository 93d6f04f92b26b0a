/** CSV and JSON downloads of what a page shows. CSV is UTF-8 with a BOM so spreadsheets read Chinese. */
import type { Response } from 'express';

export type Csv = { columns: string[]; rows: (string | number | null)[][] };

/** A plain decimal number (a figure), which a spreadsheet reads as a number and never as a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One CSV cell: quoted when needed. Text a spreadsheet would run as a formula (a leading = + - @, tab
 * or carriage return, including `-1+1+cmd|…`) is neutralised with a leading apostrophe; only plain
 * numbers keep a leading minus.
 */
export const csvCell = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !(typeof value === 'number' || PLAIN_NUMBER.test(text)) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const cell = csvCell;

export function toCsv(csv: Csv): string {
  return '\ufeff' + [csv.columns, ...csv.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function sendCsv(res: Response, filename: string, csv: Csv) {
  res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`).send(toCsv(csv));
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
