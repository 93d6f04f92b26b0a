/** Downloads of a page's list as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or XLSX. */
import type { Response } from 'express';
import { toCsv } from '../../platform/csv.js';
import { ExcelJS } from '../../platform/excel.js';

export type ExportFormat = 'csv' | 'xlsx';
export type Cell = string | number | null | undefined;

export const exportFormatOf = (value: unknown): ExportFormat | null => (value === 'csv' || value === 'xlsx' ? value : null);

export async function sendTable(res: Response, format: ExportFormat, name: string, head: readonly string[], rows: readonly Cell[][]) {
  const data = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : c)));
  res.set('Cache-Control', 'no-store').set('Content-Disposition', `attachment; filename="${name}.${format}"`);
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').send(toCsv({ columns: head, rows: data }));
    return;
  }
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(name.slice(0, 31));
  sheet.addRow([...head]).font = { bold: true };
  for (const row of data) sheet.addRow(row);
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(await book.xlsx.writeBuffer()));
}

/** The links to a list's exports: the page's own URL with ?export=csv|xlsx. */
export function exportHref(url: string, format: ExportFormat): string {
  const u = new URL(url, 'http://local');
  u.searchParams.set('export', format);
  return u.pathname + u.search;
}
