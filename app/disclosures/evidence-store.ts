/**
 * Where evidence files' bytes live, addressed by their SHA-256. The default keeps them in PostgreSQL
 * (`evidence_file_contents`, written in the same transaction as the file's metadata, so a file is
 * listed only once its bytes are in). An S3-compatible store would implement the same port — `put`
 * before the metadata commits (an object without metadata is harmless: the same bytes under the same
 * key, written again by the next upload) and `get` by key — and record `storage: 's3'`; it is not
 * built yet, so PostgreSQL is the only store.
 */
import type { Tx } from '../../db/client.js';
import { evidenceContent, insertEvidenceContent } from '../../db/repositories/evidence.js';

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
