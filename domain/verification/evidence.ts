/**
 * Evidence files: what a project's evidence may be (a PDF or an image), told from the file's first bytes
 * and never from a name or a declared type, and how large it may be.
 */

/** The media types an evidence file may have. */
export const EVIDENCE_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] as const;
export type EvidenceMediaType = (typeof EVIDENCE_MEDIA_TYPES)[number];

/** The largest evidence file accepted (20 MB: a scanned study of a few hundred pages). */
export const EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

/** Bytes needed to tell the type (WebP: "RIFF" size "WEBP"). */
export const EVIDENCE_HEAD_BYTES = 12;

const startsWith = (head: Uint8Array, bytes: number[], at = 0) => bytes.every((b, i) => head[at + i] === b);

/** The file's media type by its magic bytes: %PDF-, PNG, JPEG (FF D8 FF), WebP (RIFF….WEBP); null for anything else. */
export function evidenceMediaType(head: Uint8Array): EvidenceMediaType | null {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

/** The file name extension of each type (for the download's file name). */
export const EVIDENCE_EXTENSION: Record<EvidenceMediaType, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};
