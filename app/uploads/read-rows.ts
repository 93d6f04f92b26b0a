/**
 * Reads an uploaded file row by row, streaming (csv-parse for CSV, exceljs's streaming reader for the
 * first sheet of an XLSX): each row comes out as its number in the file (the header is row 1) and its
 * cells as text. Numbers are written as JavaScript prints them, dates as YYYY-MM-DD.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ExcelJS } from '../../platform/excel.js';

export type FileRow = { row: number; cells: string[] };

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** One XLSX cell value as text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText))
      return v.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error) return v.error;
  }
  return String(value);
}

async function* csvRows(source: Readable): AsyncGenerator<FileRow> {
  // no per-record info or trimming (both cost more than the parse itself): the row number is the
  // record's number, blank lines are kept as records and skipped here, cells are trimmed when mapped
  const parser = source.pipe(parse({ bom: true, relax_column_count: true }));
  let row = 0;
  for await (const cells of parser as AsyncIterable<string[]>) {
    row += 1;
    if (cells.length === 1 && cells[0].trim() === '') continue;
    yield { row, cells };
  }
}

async function* xlsxRows(source: Readable): AsyncGenerator<FileRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      if (cells.every((c) => c === '')) continue;
      yield { row: row.number, cells };
    }
    // only the first sheet; the rest of the workbook is drained
    break;
  }
}

export function readRows(source: Readable, format: 'csv' | 'xlsx'): AsyncGenerator<FileRow> {
  return format === 'xlsx' ? xlsxRows(source) : csvRows(source);
}
