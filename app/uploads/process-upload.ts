/**
 * Processes an uploaded file (the upload job): reads it row by row as it streams out of the database,
 * checks every row with the same rules as the JSON API and writes through the same use cases
 * (`submitLoans` as POST /loans/batch, `recordRepayments` as POST /repayments/batch and each
 * repayment, `amendLoan` as POST /loans/:id/amendments), a chunk of rows at a time.
 *
 * Everything happens in the job's one transaction, which also marks the upload finished (on PostgreSQL;
 * on the embedded database, whose one connection would be held all along, a chunk per transaction:
 * process-upload-in-parts.ts): a process that
 * dies midway leaves nothing written and the retry starts again (and a finished upload is never
 * processed twice). The rows are written inside a savepoint: when any row fails and the bank did not
 * choose to write the good rows, the savepoint is rolled back, so nothing is written, and the upload
 * is `refused` with its error report (row, column, rule). Memory holds one chunk of rows and the errors.
 */
import { UPLOAD_FAILURES } from './upload-failure.js';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loanFactsFromText, type LoanText } from '../../domain/loans/facts.js';
import type { Violation } from '../../domain/result.js';
import type { Actor } from '../../domain/actor.js';
import { findLoansByRefs } from '../../db/repositories/loans.js';
import { lockKey } from '../../db/repositories/outbox.js';
import { findUpload, readPart, updateUpload, uploaderOf, type UploadSummary } from '../../db/repositories/uploads.js';
import { UPLOAD_COLUMNS, type UploadKind, type UploadRowErrorValue } from '../../schemas/uploads.js';
import { amendLoan } from '../loans/change-loan.js';
import { recordRepayments, type RepaymentRowInput } from '../loans/record-repayments.js';
import { submitLoans, type SubmittedRow } from '../loans/submit-loans.js';
import type { ActorContext, UseCaseContext } from '../perform.js';
import type { Tx } from '../../db/client.js';
import { Refused, refuse } from '../refusals.js';
import { readRows, type FileRow } from './read-rows.js';
import { checkAmendmentRows, checkLoanRows, checkRepaymentRows, pathsOf, type CheckedAmendment, type Chunk } from './check-rows.js';
import { CHECK_SLICE_ROWS, checkedChunks, rowCheckThreads, WORKER_CHECK_MIN_BYTES } from './checked-chunks.js';

/** Rows checked and written together. */
export const UPLOAD_CHUNK_ROWS = 5_000;

export type UploadCounts = { created: number; unchanged: number; error: number };
export type UploadOutcome = { status: 'completed' | 'refused'; counts: UploadCounts; errorCount: number; replayed: boolean };
export type ProgressReport = (p: { permille: number; rowsRead: number }) => Promise<void>;

/** Thrown inside the savepoint to undo every row written. */
class UndoRows extends Error {}

export const rowErrors = (row: number, violations: Violation[]): UploadRowErrorValue[] =>
  violations.map((v) => ({ row, column: v.path, rule: v.code, message: v.message }));

/**
 * The file's bytes handed to the parser at most this many at a time, with a turn of the event loop
 * between: a whole part (1 MiB) parsed at once held the thread (and the database's answers to the
 * statements of the chunk being written) for tens of milliseconds.
 */
const PARSE_SLICE_BYTES = 64 * 1024;

/** The file's bytes, part by part, read through `db`, counting what was read. */
export function fileStream(db: Tx, upload: UploadSummary, read: { bytes: number }): Readable {
  return Readable.from(
    (async function* () {
      for (let seq = 0; ; seq++) {
        const part = await readPart(db, upload.id, seq);
        if (!part) return;
        read.bytes += part.byteLength;
        const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
        for (let at = 0; at < bytes.byteLength; at += PARSE_SLICE_BYTES) {
          if (at) await nextTurn();
          yield bytes.subarray(at, at + PARSE_SLICE_BYTES);
        }
      }
    })(),
    { objectMode: false },
  );
}

/** A header this much wider than its kind's columns is not a mistyped template but a file of another shape. */
const MAX_HEADER_COLUMNS_FACTOR = 10;

/**
 * The header row: which column each cell is; unknown and missing columns are errors of row 1. A header of
 * far more columns than the template (a runaway line, a file of another kind) fails the upload as too wide
 * rather than listing every cell.
 */
export function readHeader(kind: UploadKind, header: FileRow): { columns: (string | null)[]; errors: UploadRowErrorValue[] } {
  const expected = UPLOAD_COLUMNS[kind];
  if (header.cells.length > expected.length * MAX_HEADER_COLUMNS_FACTOR) throw new RangeError(UPLOAD_FAILURES.tooWide);
  const known = new Set(expected);
  const errors: UploadRowErrorValue[] = [];
  const columns = header.cells.map((name) => {
    if (name === '') return null;
    if (!known.has(name)) {
      errors.push({ row: header.row, column: name, rule: 'unknown_column', message: `${name} is not a column of a ${kind} file` });
      return null;
    }
    return name;
  });
  for (const name of expected) {
    if (!columns.includes(name))
      errors.push({ row: header.row, column: name, rule: 'missing_column', message: `a ${kind} file has a ${name} column` });
  }
  return { columns, errors };
}

export type { Chunk, ColumnPaths } from './check-rows.js';
export { pathsOf };
export type ChunkResult = { created: number; unchanged: number; errors: UploadRowErrorValue[] };
/**
 * How a kind of file is written, a chunk at a time: `check` is pure work (the rows' shapes and facts,
 * no database), so the next chunk is checked while the database writes the last one; `write` runs the
 * use case in the upload's transaction.
 */
export type ChunkHandler<Checked> = {
  check(chunk: Chunk): Checked;
  write(ctx: ActorContext, checked: Checked): Promise<ChunkResult>;
};

const loanChunks: ChunkHandler<SubmittedRow[]> = {
  check: checkLoanRows,
  async write(ctx, submitted) {
    const out: ChunkResult = { created: 0, unchanged: 0, errors: [] };
    for (const result of await submitLoans(ctx, submitted)) {
      if (result.status === 'error') out.errors.push(...rowErrors(result.index, result.errors));
      else out[result.status] += 1;
    }
    return out;
  },
};

const repaymentChunks: ChunkHandler<RepaymentRowInput[]> = {
  check: checkRepaymentRows,
  async write(ctx, inputs) {
    const out: ChunkResult = { created: 0, unchanged: 0, errors: [] };
    for (const result of await recordRepayments(ctx, inputs)) {
      if (result.status === 'error') out.errors.push(...rowErrors(result.index, result.errors));
      else out.created += 1;
    }
    return out;
  },
};

const amendmentChunks: ChunkHandler<CheckedAmendment[]> = {
  check: checkAmendmentRows,
  async write(ctx, parsed) {
    const out: ChunkResult = { created: 0, unchanged: 0, errors: [] };
    const refs = parsed.flatMap((p) => (p.loan ? [p.loan.loanRef] : []));
    const ids = new Map((await findLoansByRefs(ctx.tx, ctx.actor.institutionId, refs)).map((l) => [l.loanRef, l.id]));
    for (const p of parsed) {
      if (p.violations.length || !p.loan) {
        out.errors.push(...rowErrors(p.row, p.violations));
        continue;
      }
      const loanId = ids.get(p.loan.loanRef);
      if (!loanId) {
        out.errors.push({ row: p.row, column: 'loanRef', rule: 'loan_not_found', message: `no loan ${p.loan.loanRef} of this bank` });
        continue;
      }
      const facts = loanFactsFromText(p.loan as LoanText);
      try {
        await ctx.tx.transaction((sp) => amendLoan({ ...ctx, tx: sp }, { loanId, reason: p.reason, facts }));
        out.created += 1;
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        const r = err.refusal;
        if (r.status === 'content_unchanged') {
          out.unchanged += 1;
          continue;
        }
        const violations = r.errors?.length
          ? r.errors.map((e) => ({ ...e, path: e.path.replace(/^loan\./, '') }))
          : [{ path: r.path ?? (r.status === 'loan_ref_immutable' ? 'loanRef' : '(row)'), code: r.status, message: r.message }];
        out.errors.push(...rowErrors(p.row, violations));
      }
    }
    return out;
  },
};

export const CHUNKS: Record<UploadKind, ChunkHandler<unknown>> = {
  loans: loanChunks as ChunkHandler<unknown>,
  repayments: repaymentChunks as ChunkHandler<unknown>,
  amendments: amendmentChunks as ChunkHandler<unknown>,
};

/**
 * Processes upload `uploadId` in the caller's transaction. `progress` is told how far the file has been
 * read after each chunk (the job writes it where a poller sees it). An upload already finished answers
 * its outcome again without reading anything.
 */
export async function processUpload(
  ctx: UseCaseContext,
  input: {
    uploadId: string;
    progress?: ProgressReport;
    /**
     * Where the file's parts are read, when not in the transaction: a connection beside it
     * (PostgreSQL), so the next rows are read and parsed while the database writes the last ones. The
     * parts are written once, before the upload is queued, and never change.
     */
    partsFrom?: Tx;
  },
): Promise<UploadOutcome> {
  const { tx } = ctx;
  // one run at a time per upload (a retry waits for a run still holding its transaction)
  await lockKey(tx, `upload:${input.uploadId}`);
  const upload = (await findUpload(tx, input.uploadId)) ?? refuse('not_found', `upload ${input.uploadId} not found`);
  if (upload.status === 'completed' || upload.status === 'refused') {
    const counts = (upload.counts as UploadCounts | null) ?? { created: 0, unchanged: 0, error: 0 };
    return { status: upload.status, counts, errorCount: upload.errorCount, replayed: true };
  }
  if (!upload.kind || !upload.format) refuse('invalid_input', `upload ${upload.id} was never completely received`);
  const kind = upload.kind as UploadKind;
  const actor: Actor = (await uploaderOf(tx, upload)) ?? refuse('not_found', `the uploader of ${upload.id} is gone`);

  const read = { bytes: 0 };
  const rows = readRows(fileStream(input.partsFrom ?? tx, upload, read), upload.format as 'csv' | 'xlsx');
  const errors: UploadRowErrorValue[] = [];
  const counts: UploadCounts = { created: 0, unchanged: 0, error: 0 };
  let rowsRead = 0;
  const rowsWithErrors = new Set<number>();
  const note = (result: ChunkResult) => {
    counts.created += result.created;
    counts.unchanged += result.unchanged;
    for (const e of result.errors) {
      errors.push(e);
      rowsWithErrors.add(e.row);
    }
  };

  const write = async (sp: typeof tx) => {
    const first = await rows.next();
    if (first.done) {
      errors.push({ row: 1, column: '(file)', rule: 'empty_file', message: 'the file has no header row and no rows' });
      throw new UndoRows();
    }
    const header = readHeader(kind, first.value);
    if (header.errors.length) {
      errors.push(...header.errors);
      throw new UndoRows();
    }
    const actorCtx: ActorContext = { tx: sp, now: ctx.now, actor };
    const paths = pathsOf(header.columns);
    const chunks = (async function* () {
      let chunk: FileRow[] = [];
      for await (const row of rows) {
        rowsRead += 1;
        chunk.push(row);
        // rows already parsed come without a turn of the event loop: the database's answers wait for one
        if (chunk.length % CHECK_SLICE_ROWS === 0) await nextTurn();
        if (chunk.length >= UPLOAD_CHUNK_ROWS) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length) yield chunk;
    })();
    // the next chunks are read, parsed and checked (on worker threads for a large file) while the
    // database writes this one
    const handler = CHUNKS[kind];
    const checked = checkedChunks(kind, chunks, paths, upload.sizeBytes >= WORKER_CHECK_MIN_BYTES ? rowCheckThreads() : 0);
    try {
      let current = await checked.next();
      while (!current.done) {
        const writing = handler.write(actorCtx, current.value);
        // awaited below; until then a refusal must not count as unhandled
        writing.catch(() => undefined);
        let next: IteratorResult<unknown[]>;
        try {
          next = await checked.next();
        } catch (err) {
          // the file cannot be read further: the write in flight ends before the savepoint is undone
          await writing.catch(() => undefined);
          throw err;
        }
        note(await writing);
        await input.progress?.({ permille: Math.min(999, Math.floor((1000 * read.bytes) / Math.max(1, upload.sizeBytes))), rowsRead });
        current = next;
      }
    } finally {
      await checked.return(undefined);
    }
    if (rowsRead === 0) errors.push({ row: 2, column: '(file)', rule: 'empty_file', message: 'the file has a header but no rows' });
    if (errors.length && !upload.writeGoodRows) throw new UndoRows();
  };

  let undone = false;
  try {
    await tx.transaction(write);
  } catch (err) {
    if (!(err instanceof UndoRows)) throw err;
    undone = true;
  } finally {
    await rows.return(undefined);
  }
  counts.error = rowsWithErrors.size;
  if (undone) {
    counts.created = 0;
    counts.unchanged = 0;
  }
  const status = undone ? 'refused' : 'completed';
  errors.sort((a, b) => a.row - b.row);
  await updateUpload(tx, upload.id, {
    status,
    counts,
    errors,
    errorCount: errors.length,
    rowsRead,
    progressPermille: 1000,
    finishedAt: ctx.now,
  });
  return { status, counts, errorCount: errors.length, replayed: false };
}
