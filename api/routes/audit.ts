/**
 * The audit trail: every change with who, when, what and why, filtered and paged, exported as CSV,
 * and its hash chain verified. Operators read every record; a bank or a verifier reads the records of
 * its own institution (changes made by its users or to its rows).
 */
import { Router, type Response } from 'express';
import { keepAuditAnchor } from '../../app/audit/audit-anchor.js';
import { verifyAuditTrailAnchored } from '../../app/audit/verify-audit.js';
import { signAuditHead } from '../../app/disclosures/sign-publication.js';
import { perform } from '../../app/perform.js';
import { auditRecordPages, listAuditRecords } from '../../db/repositories/audit.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import { AuditHeadView, AuditQuery, AuditRecordView, AuditVerifyView } from '../../schemas/audit.js';
import { encodeCursor, pageOf } from '../../schemas/common.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { validationFailed } from '../errors.js';
import { describe } from '../openapi.js';
import { streamCsv } from '../downloads.js';
import { AUDIT_CSV_COLUMNS, auditCsvRow, presentAuditRecord } from '../presenters/audit.js';
import { cursorOrThrow, parseOrThrow } from '../validate.js';
import { z } from 'zod';
import { Refused } from '../../app/refusals.js';

describe({
  method: 'get',
  path: '/api/v1/audit',
  operationId: 'listAuditRecords',
  tag: 'audit',
  roles: ['operator', 'bank', 'verifier'],
  summary:
    'Audit records, newest first (filters resource, id, actor, institution, from/to); operators read all, a bank or verifier its own institution’s',
  query: AuditQuery,
  responses: { 200: pageOf(AuditRecordView) },
});
describe({
  method: 'get',
  path: '/api/v1/audit/export',
  operationId: 'exportAuditRecordsCsv',
  tag: 'audit',
  roles: ['operator', 'bank', 'verifier'],
  summary: 'The same records as CSV (every record the filters of GET /audit select, streamed)',
  query: AuditQuery.omit({ cursor: true, limit: true }),
  responses: { 200: AuditRecordView },
});
describe({
  method: 'get',
  path: '/api/v1/audit/verify',
  operationId: 'verifyAuditTrail',
  tag: 'audit',
  roles: ['operator'],
  summary:
    "Recompute the audit trail's hash chain and check it still reaches the anchors kept outside the database: intact, or the first broken position",
  responses: { 200: AuditVerifyView },
});
describe({
  method: 'get',
  operationId: 'getAuditHead',
  path: '/api/v1/audit/head',
  tag: 'audit',
  roles: [],
  summary:
    "The audit chain's head (position and hash) in a statement signed with the publication key: keep it, and a later shortening of the trail shows",
  responses: { 200: AuditHeadView },
});

/** Records read at a time by the export, which streams every record the filters select. */
const EXPORT_PAGE = 200;

export function auditRoutes({ database, now, env }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  /** The filter the caller may use: a bank or verifier is held to its own institution. */
  async function filterOf(res: Response, q: z.infer<typeof AuditQuery>) {
    const actor = actorOf(res);
    let institutionId: string | undefined;
    if (actor.role !== 'operator') institutionId = actor.institutionId;
    else if (q.institution) {
      const inst = await findInstitutionByCode(db, q.institution);
      if (!inst) throw validationFailed([{ path: 'institution', code: 'unknown_institution', message: `no institution ${q.institution}` }]);
      institutionId = inst.id;
    }
    return {
      resource: q.resource,
      id: q.id,
      actor: q.actor,
      institutionId,
      from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
      to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
    };
  }

  router.get('/audit', requireRole('operator', 'bank', 'verifier'), async (req, res) => {
    const q = parseOrThrow(AuditQuery, req.query);
    const cursor = cursorOrThrow(z.tuple([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)]), q.cursor);
    const rows = await listAuditRecords(db, {
      ...(await filterOf(res, q)),
      beforeSeq: cursor?.[0],
      limit: q.limit,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({ items: page.map(presentAuditRecord), nextCursor: rows.length > q.limit && last ? encodeCursor([last.seq]) : null });
  });

  router.get('/audit/export', requireRole('operator', 'bank', 'verifier'), async (req, res) => {
    const q = parseOrThrow(AuditQuery, req.query);
    await streamCsv(res, 'audit.csv', AUDIT_CSV_COLUMNS, auditRecordPages(db, await filterOf(res, q), EXPORT_PAGE), auditCsvRow);
  });

  router.get('/audit/verify', requireRole('operator'), async (_req, res) => {
    res.json(
      await perform(db, actingOf({ now }, res), (uc) => verifyAuditTrailAnchored(uc.tx, env.DATA_DIR, uc.now), {
        isolationLevel: 'repeatable read',
        accessMode: 'read only',
      }),
    );
  });

  router.get('/audit/head', async (_req, res) => {
    const head = await perform(db, { now: now(), actor: null }, (uc) => signAuditHead(uc));
    if (!head) throw new Refused('not_found', 'the audit trail has no record yet');
    keepAuditAnchor(env.DATA_DIR, head);
    res.set('Cache-Control', 'no-store').json(head);
  });

  return router;
}
