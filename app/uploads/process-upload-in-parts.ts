/**
 * Processes an uploaded file a chunk per transaction, for the embedded database (PGlite): its one
 * connection is held by a transaction from its first statement to its commit, so the one-transaction
 * upload (process-upload.ts) would keep every other request waiting until the whole file is written.
 * Here no transaction lasts longer than one chunk, and after each chunk the connection is left to the
 * requests waiting for it for a quarter of the chunk's time (`giveWay`, db/give-way.ts), so a request's statements run
 * one after another without waiting behind the next chunk.
 *
 * Nothing written unless the bank chose to write the good rows, as on PostgreSQL: first every chunk is
 * checked through the same use cases in a transaction that is rolled back (a dry run), and a file with
 * any error is `refused` with its report before anything is written. Then each chunk is written and
 * committed with a checkpoint on the upload's row (the last file row written, the counts and errors so
 * far), so a run that dies midway is resumed after the last chunk written and no row is written twice.
 * (A row only the written rows before it refuse — a repayment that the file's earlier repayments of the
 * same loan make too large — is reported when the chunks are written; the rows before it stay written.)
 */
import type { Actor } from '../../domain/actor.js';
import type { Db, Tx } from '../../db/client.js';
import { giveWay } from '../../db/give-way.js';
import { lockKey } from '../../db/repositories/outbox.js';
import { findUpload, updateUpload, uploadErrors, uploaderOf, type UploadSummary } from '../../db/repositories/uploads.js';
import type { UploadKind, UploadRowErrorValue } from '../../schemas/uploads.js';
import { perform } from '../perform.js';
import { refuse } from '../refusals.js';
import { CHUNKS, fileStream, pathsOf, readHeader, type ChunkResult, type UploadCounts, type UploadOutcome } from './process-upload.js';
import { readRows, type FileRow } from './read-rows.js';

/** Rows checked and written per transaction on the embedded database. */
export const EMBEDDED_CHUNK_ROWS = 250;

/** Thrown to roll a dry run back with what it found. */
class DryRun extends Error {
  constructor(readonly result: ChunkResult) {
    super('dry run');
  }
}

type Tally = { counts: UploadCounts; errors: UploadRowErrorValue[]; rowsRead: number };

/** The file's header and its rows, a chunk at a time (the file is read through `db`, one part per query). */
async function* chunksOf(db: Db, upload: UploadSummary, read: { bytes: number }, size: number) {
  const rows = readRows(fileStream(db, upload, read), upload.format as 'csv' | 'xlsx');
  try {
    let chunk: FileRow[] = [];
    for await (const row of rows) {
      chunk.push(row);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  } finally {
    await rows.return(undefined);
  }
}

/**
 * Processes upload `uploadId` a chunk per transaction; `finish` runs in the transaction that writes
 * the outcome (the job marks its outbox row done there). An upload already finished answers its
 * outcome again.
 */
export async function processUploadInParts(
  db: Db,
  input: { uploadId: string; now: Date; finish?: (tx: Tx) => Promise<void> },
): Promise<UploadOutcome> {
  const acting = { now: input.now, actor: null };
  const upload = (await findUpload(db, input.uploadId)) ?? refuse('not_found', `upload ${input.uploadId} not found`);
  if (upload.status === 'completed' || upload.status === 'refused') {
    if (input.finish) await perform(db, acting, (uc) => input.finish!(uc.tx));
    const counts = (upload.counts as UploadCounts | null) ?? { created: 0, unchanged: 0, error: 0 };
    return { status: upload.status, counts, errorCount: upload.errorCount, replayed: true };
  }
  if (!upload.kind || !upload.format) refuse('invalid_input', `upload ${upload.id} was never completely received`);
  const actor: Actor = (await uploaderOf(db, upload)) ?? refuse('not_found', `the uploader of ${upload.id} is gone`);

  // a file with any error writes nothing unless the bank chose to write the good rows (then no dry run)
  const checked = upload.rowsCommitted === null && !upload.writeGoodRows ? await dryRun(db, upload, actor, input.now) : null;
  const tally = checked?.errors.length ? checked : await writeChunks(db, upload, actor, input.now);
  if (tally.rowsRead === 0 && !tally.errors.length)
    tally.errors.push({ row: 2, column: '(file)', rule: 'empty_file', message: 'the file has a header but no rows' });
  // a header the file lacks, or a file without rows, writes nothing whatever the bank chose
  const status = checked?.errors.length || tally.rowsRead === 0 || tally.errors.some((e) => e.row === 1) ? 'refused' : 'completed';
  const rowErrorCount = new Set(tally.errors.map((e) => e.row)).size;
  const counts = status === 'refused' ? { created: 0, unchanged: 0, error: rowErrorCount } : { ...tally.counts, error: rowErrorCount };
  const errors = [...tally.errors].sort((a, b) => a.row - b.row);
  await perform(db, acting, async (uc) => {
    await lockKey(uc.tx, `upload:${upload.id}`);
    await updateUpload(uc.tx, upload.id, {
      status,
      counts,
      errors,
      errorCount: errors.length,
      rowsRead: tally.rowsRead,
      progressPermille: 1000,
      finishedAt: input.now,
    });
    if (input.finish) await input.finish(uc.tx);
  });
  return { status, counts, errorCount: errors.length, replayed: false };
}

/** The header's errors (row 1), or the column paths of the rows. */
function headerOf(kind: UploadKind, first: IteratorResult<FileRow[]>) {
  if (first.done || !first.value.length)
    return { errors: [{ row: 1, column: '(file)', rule: 'empty_file', message: 'the file has no header row and no rows' }], rest: [] };
  const header = readHeader(kind, first.value[0]);
  return { errors: header.errors, paths: pathsOf(header.columns), rest: first.value.slice(1) };
}

/** Every chunk checked through the use cases in a transaction rolled back: the file's whole error report. */
async function dryRun(db: Db, upload: UploadSummary, actor: Actor, now: Date): Promise<Tally> {
  const handler = CHUNKS[upload.kind as UploadKind];
  const tally: Tally = { counts: { created: 0, unchanged: 0, error: 0 }, errors: [], rowsRead: 0 };
  const chunks = chunksOf(db, upload, { bytes: 0 }, EMBEDDED_CHUNK_ROWS);
  const header = headerOf(upload.kind as UploadKind, await chunks.next());
  if (header.errors.length || !header.paths) {
    await chunks.return(undefined);
    return { ...tally, errors: header.errors };
  }
  const check = async (rows: FileRow[]) => {
    if (!rows.length) return;
    const startedAt = performance.now();
    tally.rowsRead += rows.length;
    const checked = handler.check({ rows, paths: header.paths! });
    try {
      await db.transaction(async (tx) => {
        throw new DryRun(await handler.write({ tx, now, actor }, checked));
      });
    } catch (err) {
      if (!(err instanceof DryRun)) throw err;
      tally.errors.push(...err.result.errors);
    }
    await giveWay(db, startedAt);
  };
  await check(header.rest);
  for await (const rows of chunks) await check(rows);
  if (tally.rowsRead === 0)
    tally.errors.push({ row: 2, column: '(file)', rule: 'empty_file', message: 'the file has a header but no rows' });
  return tally;
}

/** Each chunk written and committed with the upload's checkpoint; chunks written by an earlier run are skipped. */
async function writeChunks(db: Db, upload: UploadSummary, actor: Actor, now: Date): Promise<Tally> {
  const handler = CHUNKS[upload.kind as UploadKind];
  const resumed = upload.rowsCommitted !== null;
  const tally: Tally = {
    counts: resumed ? { ...(upload.counts as UploadCounts) } : { created: 0, unchanged: 0, error: 0 },
    errors: resumed ? ((await uploadErrors(db, upload.id)) as UploadRowErrorValue[]) : [],
    rowsRead: 0,
  };
  const read = { bytes: 0 };
  const chunks = chunksOf(db, upload, read, EMBEDDED_CHUNK_ROWS);
  const header = headerOf(upload.kind as UploadKind, await chunks.next());
  if (header.errors.length || !header.paths) {
    await chunks.return(undefined);
    return { ...tally, errors: header.errors, rowsRead: 0 };
  }
  const write = async (rows: FileRow[]) => {
    if (!rows.length) return;
    const startedAt = performance.now();
    tally.rowsRead += rows.length;
    const last = rows[rows.length - 1].row;
    const checked = handler.check({ rows, paths: header.paths! });
    await perform(db, { now, actor }, async (ctx) => {
      await lockKey(ctx.tx, `upload:${upload.id}`);
      const committed = (await findUpload(ctx.tx, upload.id))!.rowsCommitted ?? 0;
      if (last <= committed) return;
      const result = await handler.write(ctx, checked);
      tally.counts.created += result.created;
      tally.counts.unchanged += result.unchanged;
      tally.errors.push(...result.errors);
      await updateUpload(ctx.tx, upload.id, {
        rowsCommitted: last,
        rowsRead: tally.rowsRead,
        counts: tally.counts,
        errors: tally.errors,
        errorCount: tally.errors.length,
        progressPermille: Math.min(999, Math.floor((1000 * read.bytes) / Math.max(1, upload.sizeBytes))),
      });
    });
    await giveWay(db, startedAt);
  };
  await write(header.rest);
  for await (const rows of chunks) await write(rows);
  return tally;
}
