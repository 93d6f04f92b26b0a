/**
 * Evidence files: the bank uploads each project's declared document as the raw body of
 * PUT /api/v1/evidence/:sha256 (refused unless a project of the bank declares that hash, the bytes hash
 * to it, and it is a PDF or an image by its first bytes); the bank, a verifier whose assigned version
 * counts a loan of the project, and operators read it with GET (anyone else: 404, existence not told).
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { z } from 'zod';
import { readEvidence } from '../../app/disclosures/read-evidence.js';
import { checkEvidenceDeclared, storeEvidence } from '../../app/disclosures/upload-evidence.js';
import { EVIDENCE_MAX_BYTES } from '../../domain/verification/evidence.js';
import { EvidenceFile, EvidencePath } from '../../schemas/evidence.js';
import { actingOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { evidenceStoreOf } from '../evidence-store.js';
import { describe } from '../openapi.js';
import { evidenceApiUrl, evidenceHeaders, matchesEtag, presentEvidenceFile } from '../presenters/evidence.js';
import { parseOrThrow } from '../validate.js';
import { receiveEvidenceBody } from '../evidence-body.js';

describe({
  method: 'put',
  path: '/api/v1/evidence/:sha256',
  operationId: 'uploadEvidence',
  tag: 'verification',
  roles: ['bank'],
  summary: "Upload a project's evidence file (the raw PDF or image as the body), stored under its SHA-256",
  description: [
    'The body is the file itself (`Content-Type: application/pdf`, `image/png`, `image/jpeg`, `image/webp` or',
    '`application/octet-stream`; the type is told from the first bytes, never from the header). Refused,',
    "nothing stored: `422 evidence_not_declared` when none of the bank's projects declares the hash (checked",
    'before the body is read), `422 evidence_hash_mismatch` when the bytes hash to another value,',
    '`415 evidence_type_not_allowed` for anything but %PDF-, PNG, JPEG and WebP, `413` beyond',
    `${EVIDENCE_MAX_BYTES / 1024 / 1024} MB (\`payload_too_large\` when Content-Length says so, \`evidence_too_large\``,
    'when a chunked body passes it). Content-addressed: the first upload answers `201`, the same file again `200`.',
  ].join(' '),
  params: EvidencePath,
  bodyMediaType: 'application/pdf',
  body: z.string().describe('the file bytes'),
  errors: ['evidence_not_declared', 'evidence_hash_mismatch', 'evidence_type_not_allowed', 'evidence_too_large'],
  responses: { 201: EvidenceFile, 200: EvidenceFile },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/evidence/:sha256',
  operationId: 'getEvidence',
  tag: 'verification',
  roles: ['bank', 'verifier', 'operator'],
  summary: 'Read an evidence file: the declaring bank, a verifier assigned to a version counting a loan of the project, operators',
  description: [
    'Answers the bytes with their `Content-Type`, `Content-Disposition: inline` (named by the declared title),',
    '`ETag` = the SHA-256 (`304` to `If-None-Match`), `X-Content-Type-Options: nosniff` and',
    '`Content-Security-Policy: sandbox`. A file the caller may not read answers `404` like one never uploaded,',
    "so nobody learns which documents exist. `?meta=true` answers the file's description as JSON instead.",
  ].join(' '),
  params: EvidencePath,
  query: z.object({ meta: z.enum(['true', 'false']).optional() }),
  responses: {
    200: {
      description: 'the file (or its description with ?meta=true)',
      content: { 'application/pdf': z.string(), 'image/png': z.string(), 'image/jpeg': z.string(), 'image/webp': z.string() },
      schema: EvidenceFile,
    },
    304: null,
  },
});

export function evidenceRoutes(deps: AppDeps): Router {
  const router = Router();
  const store = evidenceStoreOf(deps.env);
  const db = deps.database.db;

  router.put('/evidence/:sha256', requireRole('bank'), async (req, res) => {
    let bodyRead = false;
    try {
      const { sha256 } = parseOrThrow(EvidencePath, req.params);
      // the hash must be one of the bank's before a byte of the body is read
      await perform(db, actingOf(deps, res), (ctx) => checkEvidenceDeclared(ctx, { sha256 }));
      const received = await receiveEvidenceBody(req, res);
      bodyRead = true;
      const stored = await perform(db, actingOf(deps, res), (ctx) => storeEvidence(ctx, { sha256, received, store }));
      res
        .status(stored.created ? 201 : 200)
        .location(evidenceApiUrl(sha256))
        .json(presentEvidenceFile(stored.file, stored.title));
    } catch (err) {
      if (!bodyRead && !req.complete) res.setHeader('Connection', 'close');
      throw err;
    }
  });

  router.get('/evidence/:sha256', requireRole('bank', 'verifier', 'operator'), async (req, res) => {
    const { sha256 } = parseOrThrow(EvidencePath, req.params);
    const meta = req.query.meta === 'true';
    const etagOnly = matchesEtag(req.get('if-none-match'), sha256);
    const found = await perform(db, actingOf(deps, res), (ctx) => readEvidence(ctx, { sha256, withBytes: !meta && !etagOnly, store }));
    if (meta) return void res.json(presentEvidenceFile(found.file, found.title));
    res.set(evidenceHeaders(found.file, found.title));
    if (etagOnly) return void res.status(304).end();
    res.status(200).end(Buffer.from(found.bytes!.buffer, found.bytes!.byteOffset, found.bytes!.byteLength));
  });

  return router;
}
