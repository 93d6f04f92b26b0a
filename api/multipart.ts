/**
 * Multipart uploads (busboy): the file streams into the database part by part as it arrives, through
 * the upload use cases (app/uploads/receive-upload.ts). Used by POST /api/v1/uploads and the bank's
 * upload page alike.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import type { ActorContext } from '../app/perform.js';
import { Refused } from '../app/refusals.js';
import { discardUpload, openUpload, queueUpload, storeUploadPart, UPLOAD_MAX_BYTES } from '../app/uploads/receive-upload.js';
import type { Actor } from '../domain/actor.js';
import { UploadForm } from '../schemas/uploads.js';
import type { Db } from '../db/client.js';
import { validationFailed, zodViolations } from './errors.js';

/** Parts of the stored file. */
const PART_BYTES = 1024 * 1024;

/** What the multipart request carried, the file stored as parts of upload `id` (null when no file came). */
export type Received = {
  fields: Record<string, string>;
  file: { id: string; size: number; sha256: string; head: Uint8Array } | null;
  truncated: boolean;
};

/**
 * What makes two upload requests the same for `Idempotency-Key`: their form fields and their file's
 * bytes (not the multipart boundary, which every client draws anew).
 */
function uploadRequestSha256(fields: Record<string, string>, fileSha256: string | null): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((name) => [name, fields[name]]);
  return createHash('sha256')
    .update(JSON.stringify({ fields: sorted, file: fileSha256 }))
    .digest('hex');
}

/** The request's hash for Idempotency-Key, set once its body is read (process/idempotency.ts records it). */
const noteRequestSha256 = (req: Request, sha256: string) => ((req as unknown as { bodySha256?: string }).bodySha256 = sha256);

/**
 * Reads a multipart request: its fields, and the first field named `file` handed to `onFile` as it
 * streams (the request pauses while `onFile` is busy); other files are drained.
 */
function readMultipart<F extends { sha256: string }>(
  req: Request,
  onFile: (stream: Readable, fileName: string, markTruncated: () => void) => { file: F; done: Promise<void> },
): Promise<{ fields: Record<string, string>; file: F | null; truncated: boolean; requestSha256: string }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_MAX_BYTES, files: 3, fields: 20, fieldSize: 10_000 } });
    } catch {
      reject(validationFailed([{ path: 'file', code: 'multipart_required', message: 'send multipart/form-data with kind and file' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let received: F | null = null;
    let truncated = false;
    let work: Promise<void> = Promise.resolve();
    let failed: unknown = null;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream: Readable, info) => {
      if (name !== 'file' || received) {
        stream.resume();
        return;
      }
      const started = onFile(stream, info.filename ?? 'upload', () => (truncated = true));
      received = started.file;
      work = started.done.catch((err) => {
        failed = err;
        stream.resume();
      });
    });
    bb.on('error', (err) => reject(err));
    bb.on('close', () => {
      work.then(() => {
        if (failed) return reject(failed);
        const requestSha256 = uploadRequestSha256(fields, received?.sha256 ?? null);
        noteRequestSha256(req, requestSha256);
        resolve({ fields, file: received, truncated, requestSha256 });
      }, reject);
    });
    req.pipe(bb);
  });
}

/**
 * Streams a multipart request: the first field named `file` is stored part by part as the upload's
 * bytes (pausing the request while a part is written); other files are drained.
 */
export function receiveMultipart(db: Db, ctx: () => ActorContext, req: Request): Promise<Received> {
  return readMultipart(req, (stream, fileName, markTruncated) => {
    const id = randomUUID();
    const file = { id, size: 0, sha256: '', head: new Uint8Array() };
    stream.on('limit', markTruncated);
    const done = (async () => {
      await db.transaction((tx) => openUpload({ ...ctx(), tx }, { id, fileName }));
      const hash = createHash('sha256');
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let seq = 0;
      const flush = async () => {
        if (!pendingBytes) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        const part = seq++;
        await db.transaction((tx) => storeUploadPart({ ...ctx(), tx }, { uploadId: id, seq: part, data }));
      };
      for await (const chunk of stream as AsyncIterable<Buffer>) {
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
  });
}

/**
 * Reads a repeated upload request only to tell whether it is the same request as the first one with
 * its Idempotency-Key (the same fields and file bytes): nothing is stored.
 */
export async function hashUploadRequest(req: Request): Promise<string> {
  const { requestSha256 } = await readMultipart(req, (stream) => {
    const file = { sha256: '' };
    const hash = createHash('sha256');
    const done = (async () => {
      for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
      file.sha256 = hash.digest('hex');
    })();
    return { file, done };
  });
  return requestSha256;
}

/**
 * Receives an upload request (fields kind, writeGoodRows and the file) and queues its job; returns the
 * upload's id. Refuses (422 naming the field) a missing or unknown kind, a missing, too large or .xls
 * file, and then keeps nothing of it.
 */
export async function acceptUpload(db: Db, actor: Actor, at: Date, req: Request): Promise<string> {
  const ctx = () => ({ tx: db, now: at, actor });
  const received = await receiveMultipart(db, ctx, req);
  const discard = async () => {
    if (received.file) await db.transaction((tx) => discardUpload({ ...ctx(), tx }, { uploadId: received.file!.id }));
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
    throw validationFailed(violations);
  }
  const file = received.file;
  try {
    await db.transaction((tx) =>
      queueUpload(
        { ...ctx(), tx },
        {
          uploadId: file.id,
          kind: form.data.kind,
          head: file.head,
          sizeBytes: file.size,
          fileSha256: file.sha256,
          writeGoodRows: form.data.writeGoodRows,
        },
      ),
    );
  } catch (err) {
    await discard();
    throw err;
  }
  return file.id;
}
