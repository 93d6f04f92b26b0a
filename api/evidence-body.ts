/**
 * Receives an evidence file sent as the raw request body (PUT /api/v1/evidence/:sha256): the bytes are
 * hashed as they arrive and kept in memory up to the limit; a body past the limit stops the reading at
 * once (413 `evidence_too_large`, the connection closed after the answer). The bank's evidence page sends
 * the file as a multipart form instead (`receiveEvidenceForm`).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import type { ReceivedEvidence } from '../app/disclosures/upload-evidence.js';
import { Refused } from '../app/refusals.js';
import { EVIDENCE_MAX_BYTES } from '../domain/verification/evidence.js';

export async function receiveEvidenceBody(req: Request, res: Response, maxBytes = EVIDENCE_MAX_BYTES): Promise<ReceivedEvidence> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.setHeader('Connection', 'close');
      req.pause();
      throw new Refused('evidence_too_large', `the file is larger than ${maxBytes} bytes (${maxBytes / 1024 / 1024} MB)`, { path: 'file' });
    }
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex'), sizeBytes: size };
}

/**
 * The same from a page form (multipart/form-data, the file in the field `file`): the first such file
 * is hashed and kept up to the limit; `truncated` says it passed it. Null when no file came.
 */
export function receiveEvidenceForm(
  req: Request,
  maxBytes = EVIDENCE_MAX_BYTES,
): Promise<{ received: ReceivedEvidence; truncated: boolean } | null> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 1000 } });
    } catch {
      return resolve(null);
    }
    let found: { received: ReceivedEvidence; truncated: boolean } | null = null;
    let reading: Promise<void> = Promise.resolve();
    bb.on('file', (name, stream: Readable) => {
      if (name !== 'file' || found) return void stream.resume();
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      const file = { received: { bytes: new Uint8Array(), sha256: '', sizeBytes: 0 }, truncated: false };
      found = file;
      stream.on('limit', () => (file.truncated = true));
      reading = (async () => {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          file.received.sizeBytes += chunk.length;
          hash.update(chunk);
          chunks.push(chunk);
        }
        file.received.bytes = Buffer.concat(chunks);
        file.received.sha256 = hash.digest('hex');
        // the part past the limit was cut: count it as too large
        if (file.truncated) file.received.sizeBytes = maxBytes + 1;
      })();
    });
    bb.on('error', reject);
    bb.on('close', () => reading.then(() => resolve(found), reject));
    req.pipe(bb);
  });
}
