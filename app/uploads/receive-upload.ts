/**
 * A bank sends a file (POST /api/v1/uploads, or the upload form of /bank/uploads): `receiveUpload` is the
 * one use case. The upload is opened as the file starts to arrive, its bytes are stored part by part (a
 * transaction each, so no transaction stays open while a client sends), and once the whole request is
 * read, the form is checked and the upload queued in the same transaction as its job's outbox row (so a
 * queued upload always has its job). A file that never arrived whole, or whose form is refused, is
 * discarded. The edge only reads the request and hands the file's bytes over as they come.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client.js';
import { writeOutbox } from '../../db/repositories/outbox.js';
import { deleteUpload, findUpload, insertUpload, insertUploadPart, setUploadReceived } from '../../db/repositories/uploads.js';
import type { Actor } from '../../domain/actor.js';
import { UploadForm, type UploadKind } from '../../schemas/uploads.js';
import { zodViolations } from '../../schemas/violations.js';
import { outboxJobs } from '../outbox-jobs.js';
import { perform, type Acting, type ActorContext, type UseCaseContext } from '../perform.js';
import { Refused, refuse, refuseViolations } from '../refusals.js';

/** The largest file accepted. */
export const UPLOAD_MAX_BYTES = 256 * 1024 * 1024;

/** Parts of the stored file. */
const PART_BYTES = 1024 * 1024;

/** A file as it is being stored: its upload's id, and its size, hash and first bytes once all is in. */
export type StoredFile = { id: string; size: number; sha256: string; head: Uint8Array };

/** What the edge read of an upload request: the form's fields, the file it handed over (if any), whether the file was cut at the limit. */
export type SentUpload = { fields: Record<string, string>; file: StoredFile | null; truncated: boolean };

/**
 * How the edge reads the request: it hands the first file to `storeFile` as it starts to arrive (and
 * keeps the request paused while the use case is busy), then answers what it read.
 */
export type ReadUploadRequest = (
  storeFile: (bytes: AsyncIterable<Uint8Array>, fileName: string) => { file: StoredFile; done: Promise<void> },
) => Promise<SentUpload>;

/**
 * Receives an upload request (fields kind, writeGoodRows and the file) and queues its job; returns the
 * upload's id. Refuses (422 naming the field) a missing or unknown kind, a missing, too large or .xls
 * file, and then keeps nothing of it.
 */
export async function receiveUpload(db: Db, acting: Acting<Actor>, read: ReadUploadRequest): Promise<string> {
  const received = await read((bytes, fileName) => storeFile(db, acting, bytes, fileName));
  const discard = async () => {
    if (received.file) await perform(db, acting, (ctx) => discardUpload(ctx, { uploadId: received.file!.id }));
  };
  if (received.truncated) {
    await discard();
    throw new Refused('validation_failed', `the file is larger than ${UPLOAD_MAX_BYTES / 1024 / 1024} MB`, {
      errors: [{ path: 'file', code: 'file_too_large', message: `at most ${UPLOAD_MAX_BYTES / 1024 / 1024} MB` }],
    });
  }
  const form = UploadForm.safeParse({ kind: received.fields.kind, writeGoodRows: received.fields.writeGoodRows });
  if (!received.file || !form.success) {
    await discard();
    const violations = form.success ? [] : zodViolations(form.error);
    if (!received.file) violations.push({ path: 'file', code: 'required', message: 'send the CSV or XLSX file in the field "file"' });
    refuseViolations(violations);
  }
  const file = received.file;
  try {
    await perform(db, acting, (ctx) =>
      queueUpload(ctx, {
        uploadId: file.id,
        kind: form.data.kind,
        head: file.head,
        sizeBytes: file.size,
        fileSha256: file.sha256,
        writeGoodRows: form.data.writeGoodRows,
      }),
    );
  } catch (err) {
    await discard();
    throw err;
  }
  return file.id;
}

/** Stores a file part by part as it arrives: the upload is opened first, each part in its own transaction. */
function storeFile(
  db: Db,
  acting: Acting<Actor>,
  bytes: AsyncIterable<Uint8Array>,
  fileName: string,
): { file: StoredFile; done: Promise<void> } {
  const id = randomUUID();
  const file: StoredFile = { id, size: 0, sha256: '', head: new Uint8Array() };
  const done = (async () => {
    await perform(db, acting, (ctx) => openUpload(ctx, { id, fileName }));
    const hash = createHash('sha256');
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let seq = 0;
    const flush = async () => {
      if (!pendingBytes) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const part = seq++;
      await perform(db, acting, (ctx) => storeUploadPart(ctx, { uploadId: id, seq: part, data }));
    };
    for await (const chunk of bytes) {
      if (file.size === 0) file.head = new Uint8Array(chunk.subarray(0, 8));
      file.size += chunk.length;
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= PART_BYTES) await flush();
    }
    await flush();
    file.sha256 = hash.digest('hex');
  })();
  return { file, done };
}

/** CSV or XLSX, told from the file's first bytes (an XLSX is a ZIP archive); the old binary .xls is refused. */
export function detectFormat(head: Uint8Array): 'csv' | 'xlsx' | 'xls' {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return 'xls';
  return 'csv';
}

async function openUpload(ctx: ActorContext, input: { id: string; fileName: string }): Promise<{ id: string }> {
  await insertUpload(ctx.tx, {
    id: input.id,
    institutionId: ctx.actor.institutionId,
    uploadedBy: ctx.actor.userId,
    fileName: input.fileName.slice(0, 300) || 'upload',
    createdAt: ctx.now,
  });
  return { id: input.id };
}

async function storeUploadPart(ctx: UseCaseContext, input: { uploadId: string; seq: number; data: Uint8Array }): Promise<void> {
  await insertUploadPart(ctx.tx, input.uploadId, input.seq, input.data);
}

async function discardUpload(ctx: UseCaseContext, input: { uploadId: string }): Promise<void> {
  await deleteUpload(ctx.tx, input.uploadId);
}

/**
 * The whole file is in and the form is read (`UploadForm`): checks the file, then queues the upload's
 * job. Refuses (and `receiveUpload` discards the upload) when the file is missing or empty, or it is an
 * old .xls workbook.
 */
async function queueUpload(
  ctx: ActorContext,
  input: { uploadId: string; kind: UploadKind; head: Uint8Array; sizeBytes: number; fileSha256: string; writeGoodRows: boolean },
): Promise<{ id: string }> {
  const upload = await findUpload(ctx.tx, input.uploadId, { institutionId: ctx.actor.institutionId });
  if (!upload || upload.status !== 'receiving') refuse('not_found', `upload ${input.uploadId} not found`);
  const violations = [];
  if (input.sizeBytes === 0) violations.push({ path: 'file', code: 'required', message: 'send the CSV or XLSX file in the field "file"' });
  const format = detectFormat(input.head);
  if (format === 'xls')
    violations.push({ path: 'file', code: 'unsupported_format', message: 'an old .xls workbook: save it as .xlsx or .csv' });
  if (violations.length) refuseViolations(violations);
  await setUploadReceived(ctx.tx, upload.id, {
    kind: input.kind,
    format,
    sizeBytes: input.sizeBytes,
    fileSha256: input.fileSha256,
    writeGoodRows: input.writeGoodRows,
  });
  await writeOutbox(ctx.tx, [outboxJobs.upload(upload.id)]);
  return { id: upload.id };
}
