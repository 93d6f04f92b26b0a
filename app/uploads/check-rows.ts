/**
 * The row checks of an uploaded file, a chunk at a time: each row as the nested object of the JSON API,
 * checked against its schema (every fault of the row reported at once, by field path and rule), its
 * facts read from the text and, for a loan, the hash of its content. Pure (no database, no clock): the
 * same function runs on the job's thread for a small file and on a worker thread for a large one
 * (checked-chunks.ts), so the error report is the same either way. What it returns crosses between
 * threads by structured clone (strings, bigints, plain objects).
 */
import { loanContentSha256, loanFactsFromText, type LoanText } from '../../domain/loans/facts.js';
import { parseYuan } from '../../domain/money.js';
import type { Violation } from '../../domain/result.js';
import { LoanInput } from '../../schemas/loans.js';
import { RepaymentRow, type UploadKind } from '../../schemas/uploads.js';
import { zodViolations } from '../../schemas/violations.js';
import { z } from 'zod';
import type { SubmittedRow } from '../loans/submit-loans.js';
import type { RepaymentRowInput } from '../loans/record-repayments.js';
import type { FileRow } from './read-rows.js';

/** Each column's path in the JSON API's loan (`project.ref` → project, ref), split once per file; null: not read. */
export type ColumnPaths = (string[] | null)[];
export const pathsOf = (columns: (string | null)[]): ColumnPaths => columns.map((name) => (name ? name.split('.') : null));

export type Chunk = { rows: FileRow[]; paths: ColumnPaths };

/** A zod failure as violations (field path, rule code), as the API names them; a row's own path is `(row)`. */
export function shapeViolations(error: z.ZodError): Violation[] {
  return zodViolations(error).map((v) => ({
    ...v,
    path: v.path === '(body)' ? '(row)' : v.path,
    code: v.code === 'unrecognized_keys' ? 'unknown_column' : v.code,
  }));
}

/** The row as the nested object of the JSON API (empty cells left out), by the header's column paths. */
export function rowObject(paths: ColumnPaths, row: FileRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < paths.length; i++) {
    const parts = paths[i];
    if (!parts) continue;
    const value = (row.cells[i] ?? '').trim();
    if (value === '') continue;
    let at = out;
    for (let k = 0; k < parts.length - 1; k++) at = (at[parts[k]] ??= {}) as Record<string, unknown>;
    at[parts[parts.length - 1]] = value;
  }
  return out;
}

/** A loan row: its facts and content hash, or every fault of its shape. */
export function checkLoanRows({ rows, paths }: Chunk): SubmittedRow[] {
  return rows.map((r) => {
    const parsed = LoanInput.safeParse(rowObject(paths, r));
    if (!parsed.success) return { index: r.row, facts: null, violations: shapeViolations(parsed.error) };
    const facts = loanFactsFromText(parsed.data as LoanText);
    return { index: r.row, facts, violations: [], sha256: loanContentSha256(facts) };
  });
}

/** A repayment row: the repayment, or every fault of its shape. */
export function checkRepaymentRows({ rows, paths }: Chunk): RepaymentRowInput[] {
  return rows.map((r) => {
    const parsed = RepaymentRow.safeParse(rowObject(paths, r));
    return parsed.success
      ? {
          index: r.row,
          input: { loanRef: parsed.data.loanRef, repaidOn: parsed.data.repaidOn, amountFen: parseYuan(parsed.data.amount)! },
          violations: [],
        }
      : { index: r.row, input: null, violations: shapeViolations(parsed.error) };
  });
}

const AmendmentRow = z.object({ reason: z.string().trim().min(1, 'must not be empty').max(1000) }).passthrough();
export type CheckedAmendment = { row: number; reason: string; loan: z.infer<typeof LoanInput> | null; violations: Violation[] };

/** An amendment row: its reason and the loan's new text, with the faults of both at once. */
export function checkAmendmentRows({ rows, paths }: Chunk): CheckedAmendment[] {
  return rows.map((r) => {
    const { reason, ...loan } = rowObject(paths, r);
    const reasonCheck = AmendmentRow.safeParse({ reason });
    const loanCheck = LoanInput.safeParse(loan);
    const violations = [
      ...(reasonCheck.success ? [] : shapeViolations(reasonCheck.error)),
      ...(loanCheck.success ? [] : shapeViolations(loanCheck.error)),
    ];
    return { row: r.row, reason: String(reason ?? ''), loan: loanCheck.success ? loanCheck.data : null, violations };
  });
}

/** The checks of a chunk of `kind`'s rows. */
export function checkRows(kind: UploadKind, chunk: Chunk): unknown[] {
  switch (kind) {
    case 'loans':
      return checkLoanRows(chunk);
    case 'repayments':
      return checkRepaymentRows(chunk);
    case 'amendments':
      return checkAmendmentRows(chunk);
  }
}
