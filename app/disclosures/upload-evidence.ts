/**
 * A bank uploads a project's evidence file (PUT /api/v1/evidence/:sha256): the hash must be declared
 * by one of its projects (checked before the body is read), the bytes received must hash to it, and the
 * file must be a PDF or an image by its first bytes. Files are content-addressed: a file already stored
 * (by this bank or another that declared the same document) is answered as it is, nothing written.
 */
import { declaredEvidenceTitle, findEvidenceFile, insertEvidenceFile, type EvidenceFileRow } from '../../db/repositories/evidence.js';
import { EVIDENCE_MAX_BYTES, evidenceMediaType } from '../../domain/verification/evidence.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { postgresEvidenceStore, type EvidenceStore } from './evidence-store.js';

/** Refuses a hash none of the acting bank's projects declares; answers the declared title. */
export async function checkEvidenceDeclared(ctx: ActorContext, input: { sha256: string }): Promise<{ title: string }> {
  const title = await declaredEvidenceTitle(ctx.tx, ctx.actor.institutionId, input.sha256);
  if (title === null)
    refuse('evidence_not_declared', `none of your projects declares evidence with SHA-256 ${input.sha256}`, { path: 'sha256' });
  return { title };
}

/** What arrived: the bytes, their SHA-256 and their size (computed while receiving). */
export type ReceivedEvidence = { bytes: Uint8Array; sha256: string; sizeBytes: number };

export async function storeEvidence(
  ctx: ActorContext,
  input: { sha256: string; received: ReceivedEvidence; store?: EvidenceStore },
): Promise<{ file: EvidenceFileRow; created: boolean; title: string }> {
  const store = input.store ?? postgresEvidenceStore;
  const { title } = await checkEvidenceDeclared(ctx, { sha256: input.sha256 });
  const { received } = input;
  if (received.sizeBytes > EVIDENCE_MAX_BYTES)
    refuse('evidence_too_large', `the file (${received.sizeBytes} bytes) is larger than ${EVIDENCE_MAX_BYTES} bytes`, { path: 'file' });
  if (received.sha256 !== input.sha256)
    refuse('evidence_hash_mismatch', `the file's SHA-256 is ${received.sha256}, not the declared ${input.sha256}`, {
      path: 'file',
      extra: { declaredSha256: input.sha256, receivedSha256: received.sha256 },
    });
  const mediaType = evidenceMediaType(received.bytes.subarray(0, 16));
  if (mediaType === null)
    refuse(
      'evidence_type_not_allowed',
      received.sizeBytes === 0
        ? 'the file is empty: send the PDF or image as the request body'
        : 'the file is neither a PDF (%PDF-) nor a PNG, JPEG or WebP image',
      { path: 'file' },
    );
  const existing = await findEvidenceFile(ctx.tx, input.sha256);
  if (existing) return { file: existing, created: false, title };
  await insertEvidenceFile(ctx.tx, {
    contentSha256: input.sha256,
    mediaType,
    sizeBytes: received.sizeBytes,
    storage: store.kind,
    institutionId: ctx.actor.institutionId,
    uploadedBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  await store.put(ctx.tx, input.sha256, received.bytes);
  // a file recorded at the same moment by another upload of the same bytes is the same file
  return { file: (await findEvidenceFile(ctx.tx, input.sha256))!, created: true, title };
}
