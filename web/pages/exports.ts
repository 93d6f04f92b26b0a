/**
 * Downloads of a page's list as CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or XLSX, whose
 * amounts and dates are number and date cells (a spreadsheet sums them); the CSV keeps the exact text.
 */
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
  const kinds = head.map((_, i) => columnKind(data.map((r) => r[i])));
  for (const row of data) {
    const added = sheet.addRow(row.map((value, i) => typedValue(value, kinds[i])));
    kinds.forEach((kind, i) => {
      if (kind.numFmt && row[i] !== '') added.getCell(i + 1).numFmt = kind.numFmt;
    });
  }
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(Buffer.from(await book.xlsx.writeBuffer()));
}

/** An exact decimal a double holds to the last digit (at most 15 significant digits), and an ISO date. */
const DECIMAL = /^-?(\d+)\.(\d{1,6})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const exactInDouble = (text: string) => {
  const m = DECIMAL.exec(text);
  return m !== null && (m[1].replace(/^0+/, '') + m[2]).length <= 15;
};

type ColumnKind = { kind: 'decimal' | 'date' | 'text'; numFmt?: string };

/**
 * What a column of an XLSX export holds: amounts, rates and tonnes (every value a decimal string) are
 * numbers shown with as many decimals as the text has, dates are dates, anything else stays text, so a
 * spreadsheet sums and sorts them. A column with one value of another kind stays text (the exact text).
 */
function columnKind(values: readonly (string | number)[]): ColumnKind {
  const present = values.filter((v) => v !== '').map(String);
  if (!present.length) return { kind: 'text' };
  if (present.every(exactInDouble)) {
    const decimals = Math.max(...present.map((v) => DECIMAL.exec(v)![2].length));
    return { kind: 'decimal', numFmt: `#,##0.${'0'.repeat(decimals)}` };
  }
  if (present.every((v) => DATE.test(v))) return { kind: 'date', numFmt: 'yyyy-mm-dd' };
  return { kind: 'text' };
}

function typedValue(value: string | number, column: ColumnKind): string | number | Date {
  if (value === '' || typeof value === 'number') return value;
  if (column.kind === 'decimal') return Number(value);
  if (column.kind === 'date') {
    const [, y, m, d] = DATE.exec(value)!;
    return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  }
  return value;
}

/** The links to a list's exports: the page's own URL with ?export=csv|xlsx. */
export function exportHref(url: string, format: ExportFormat): string {
  const u = new URL(url, 'http://local');
  u.searchParams.set('export', format);
  return u.pathname + u.search;
}
