/**
 * Multipart uploads (busboy): the edge reads the request and hands the file's bytes, as they arrive, to
 * the upload use case (`receiveUpload`, app/uploads/receive-upload.ts), which stores them. Used by POST
 * /api/v1/uploads and the bank's upload page alike.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { UPLOAD_MAX_BYTES, type ReadUploadRequest } from '../app/uploads/receive-upload.js';
import { validationFailed } from './errors.js';

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
  onFile: (stream: Readable, fileName: string) => { file: F; done: Promise<void> },
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
      stream.on('limit', () => (truncated = true));
      const started = onFile(stream, info.filename ?? 'upload');
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

/** The upload request read as the upload use case asks (`receiveUpload(db, acting, uploadRequestOf(req))`). */
export const uploadRequestOf =
  (req: Request): ReadUploadRequest =>
  (storeFile) =>
    readMultipart(req, (stream, fileName) => storeFile(stream as AsyncIterable<Buffer>, fileName));

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
