/**
 * Why an upload failed, in the bank's words: a refusal of ours keeps its message (it names the rule);
 * anything the file's reading threw (a damaged workbook, a row far beyond the template, text that is not
 * a CSV) is told as what the bank can do about it, never as the parser's or JavaScript's own text.
 */
import { Refused } from '../refusals.js';

const NOTHING_WRITTEN = 'Nothing of it was written; correct the file and upload it again.';

export const UPLOAD_FAILURES = {
  unreadable: `The file could not be read: it is damaged, or it is not a CSV or XLSX file laid out as the template (download the template from the upload page, fill it in and save it as CSV in UTF-8 or as an Excel workbook). ${NOTHING_WRITTEN}`,
  tooWide: `A row of the file is far longer than the template's (many more columns or characters than a loan has): check the file was saved from the template with a comma or a worksheet per column. ${NOTHING_WRITTEN}`,
} as const;

/** a row too long to read: a runaway record (no line ends, or hundreds of thousands of columns) */
const TOO_WIDE =
  /call stack|invalid string length|max(imum)? record size|record (is )?too (long|large)|CSV_MAX_RECORD_SIZE|too many (columns|fields)/i;

/** The failure of an upload's job as the bank reads it. `ours`: the error is a refusal the use case made (its message names the rule). */
export function uploadFailureInWords(err: unknown, ours: boolean): string {
  if (err instanceof Refused || (ours && err instanceof Error)) return err.message;
  const text = err instanceof Error ? `${err.name} ${err.message} ${(err as { code?: string }).code ?? ''}` : String(err);
  return TOO_WIDE.test(text) || err instanceof RangeError ? UPLOAD_FAILURES.tooWide : UPLOAD_FAILURES.unreadable;
}
