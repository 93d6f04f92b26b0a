/**
 * Where evidence files' bytes live, addressed by their SHA-256. The default keeps them in PostgreSQL
 * (`evidence_file_contents`, written in the same transaction as the file's metadata, so a file is
 * listed only once its bytes are in). With `EVIDENCE_S3_URL` set, new files go to an S3-compatible store
 * instead (`storage: 's3'`, key `evidence/<sha256>`): the object is written before the metadata commits (an
 * object without metadata is harmless: the same bytes under the same key, written again by the next
 * upload). A file is always read from the store its row names.
 */
import type { Tx } from '../../db/client.js';
import { evidenceContent, insertEvidenceContent } from '../../db/repositories/evidence.js';
import type { S3Client } from '../../platform/s3.js';

export type EvidenceStore = {
  /** the value of `evidence_files.storage` for files this store keeps */
  readonly kind: 'postgresql' | 's3';
  /** keeps the bytes under their hash (idempotent: the same key always holds the same bytes) */
  put(tx: Tx, sha256: string, bytes: Uint8Array): Promise<void>;
  /** the bytes under the hash, or null */
  get(tx: Tx, sha256: string): Promise<Uint8Array | null>;
};

export const postgresEvidenceStore: EvidenceStore = {
  kind: 'postgresql',
  put: (tx, sha256, bytes) => insertEvidenceContent(tx, sha256, bytes),
  get: (tx, sha256) => evidenceContent(tx, sha256),
};

/** The S3-compatible store: one object per file, `evidence/<sha256>`, with its media type. */
export function s3EvidenceStore(client: S3Client, mediaTypeOf: (bytes: Uint8Array) => string): EvidenceStore {
  return {
    kind: 's3',
    put: (_tx, sha256, bytes) => client.put(`evidence/${sha256}`, bytes, mediaTypeOf(bytes)),
    get: (_tx, sha256) => client.get(`evidence/${sha256}`),
  };
}
