/**
 * The one CSV writer of every CSV the service produces (public downloads, page exports, the audit
 * export, upload error reports): UTF-8 with a BOM so spreadsheet programs read Chinese, CRLF line ends,
 * and every cell guarded against spreadsheet formulas.
 *
 * Hand-written rather than csv-stringify's `cast` option: the guard must see each cell's value and type
 * (a plain number keeps its minus, text never runs), and one small function is easier to prove than a
 * library option set at every call site.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** A plain decimal number (a figure), which a spreadsheet reads as a number and never as a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export type CsvValue = string | number | null | undefined;
/** A table to write: its header and its rows. */
export type Csv = { columns: string[]; rows: CsvValue[][] };

/**
 * One CSV cell: quoted when needed. Text a spreadsheet would run as a formula (a leading = + - @, tab
 * or carriage return, including `-1+1+cmd|…`) is neutralised with a leading apostrophe; only plain
 * numbers keep a leading minus.
 */
export const csvCell = (value: CsvValue) => {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) && !(typeof value === 'number' || PLAIN_NUMBER.test(text)) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** One line of cells, ended by CRLF. */
export const csvLine = (cells: readonly CsvValue[]) => cells.map(csvCell).join(',') + '\r\n';

/** The byte order mark every CSV starts with. */
export const CSV_BOM = '\ufeff';

/** A whole CSV file: the BOM, the header line, one line a row. */
export function toCsv(csv: { columns: readonly string[]; rows: readonly (readonly CsvValue[])[] }): string {
  return CSV_BOM + [csv.columns, ...csv.rows].map(csvLine).join('');
}

/**
 * Writes a CSV to `out` as its rows arrive, batch by batch, waiting whenever `out` is full: memory
 * stays flat whatever the file's size. Ends `out` and answers true when every batch was written; stops
 * reading batches and answers false as soon as `out` is closed (the client went away).
 */
export async function writeCsv(
  out: Writable,
  columns: readonly string[],
  batches: AsyncIterable<readonly (readonly CsvValue[])[]>,
): Promise<boolean> {
  if (!(await write(out, CSV_BOM + csvLine(columns)))) return false;
  for await (const rows of batches) {
    if (!(await write(out, rows.map(csvLine).join('')))) return false;
  }
  out.end();
  return true;
}

/** Writes one chunk; when `out` is full, waits until it drains or closes. False once `out` is closed. */
async function write(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return false;
  if (out.write(chunk)) return true;
  const waiting = new AbortController();
  try {
    // the event that did not come rejects when it is aborted: nobody waits on it
    const quietly = (event: string) => once(out, event, { signal: waiting.signal }).catch(() => undefined);
    await Promise.race([quietly('drain'), quietly('close'), quietly('error')]);
  } finally {
    waiting.abort();
  }
  return !out.destroyed;
}
