/**
 * Receives an evidence file sent as the raw request body (PUT /api/v1/evidence/:sha256): the bytes are
 * hashed as they arrive and kept in memory up to the limit; a body past the limit stops the reading at
 * once (413 `evidence_too_large`, the connection closed after the answer).
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ReceivedEvidence } from '../../app/disclosures/upload-evidence.js';
import { Refused } from '../../app/refusals.js';
import { EVIDENCE_MAX_BYTES } from '../../domain/verification/evidence.js';

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
