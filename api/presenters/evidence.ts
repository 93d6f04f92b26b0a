/** Evidence files and verification query threads, as the API answers and the pages render them. */
import type { EvidenceFileRow } from '../../db/repositories/evidence.js';
import type { QueryAnswerRow, QueryRow, QueryThread } from '../../db/repositories/verification-queries.js';
import { EVIDENCE_EXTENSION, type EvidenceMediaType } from '../../domain/verification/evidence.js';

export const evidenceApiUrl = (sha256: string) => `/api/v1/evidence/${sha256}`;
/** The same file for a signed-in page reader (session instead of API key). */
export const evidencePageUrl = (sha256: string) => `/evidence/${sha256}`;

export function presentEvidenceFile(file: EvidenceFileRow, title: string) {
  return {
    sha256: file.contentSha256,
    title,
    mediaType: file.mediaType as EvidenceMediaType,
    sizeBytes: file.sizeBytes,
    uploadedAt: file.createdAt.toISOString(),
    url: evidenceApiUrl(file.contentSha256),
  };
}

/**
 * The headers a file is answered with: its type, length, an inline disposition named by its title, its
 * hash as a strong ETag, no sniffing, and a sandbox policy (a crafted file runs no script, reaches no origin).
 */
export function evidenceHeaders(file: EvidenceFileRow, title: string): Record<string, string> {
  const ext = EVIDENCE_EXTENSION[file.mediaType as EvidenceMediaType] ?? 'bin';
  const ascii = `evidence-${file.contentSha256.slice(0, 12)}.${ext}`;
  const named = `${
    title
      .replace(/[\\/:*?"<>|\r\n]+/g, ' ')
      .trim()
      .slice(0, 150) || 'evidence'
  }.${ext}`;
  return {
    'Content-Type': file.mediaType,
    'Content-Length': String(file.sizeBytes),
    'Content-Disposition': `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(named)}`,
    ETag: `"${file.contentSha256}"`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'private, no-cache',
  };
}

/** Does an If-None-Match header name this file's ETag? */
export const matchesEtag = (ifNoneMatch: string | undefined, sha256: string) =>
  !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${sha256}"` || tag.trim() === '*');

const message = (m: QueryThread['question']) => ({ id: m.id, by: m.by, institution: m.institution, at: m.at.toISOString(), text: m.text });

export const presentThread = (q: QueryThread) => ({
  id: q.id,
  loanId: q.loanId,
  loanRef: q.loanRef,
  question: message(q.question),
  answers: q.answers.map(message),
});

export const presentQueryRow = (q: QueryRow) => ({ id: q.id, loanId: q.loanId, text: q.text, createdAt: q.createdAt.toISOString() });
export const presentAnswerRow = (a: QueryAnswerRow) => ({
  id: a.id,
  queryId: a.queryId,
  text: a.text,
  createdAt: a.createdAt.toISOString(),
});
