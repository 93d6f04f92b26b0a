/** The evidence files' store the configuration names: S3-compatible with `EVIDENCE_S3_URL`, else PostgreSQL. */
import { postgresEvidenceStore, s3EvidenceStore, type EvidenceStore } from '../app/disclosures/evidence-store.js';
import { evidenceMediaType } from '../domain/verification/evidence.js';
import { parseS3Url, s3Client } from '../platform/s3.js';
import type { Env } from '../schemas/env.js';

export function evidenceStoreOf(env: Pick<Env, 'EVIDENCE_S3_URL'>): EvidenceStore {
  if (!env.EVIDENCE_S3_URL) return postgresEvidenceStore;
  return s3EvidenceStore(
    s3Client(parseS3Url(env.EVIDENCE_S3_URL)),
    (bytes) => evidenceMediaType(bytes.subarray(0, 16)) ?? 'application/octet-stream',
  );
}
