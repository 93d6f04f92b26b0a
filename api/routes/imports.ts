/**
 * Historical imports: a bank's past records in one document (POST /imports, booked in parts of bounded
 * size — a document of one part whole or not at all — idempotent by the document's SHA-256 and the
 * records' own references, resumed by the same document when a run stopped), the import's record
 * (GET /imports/:id), a bank's already published statements (POST …/published-statement) and their
 * reconciliation with the loan-level records (GET …/reconciliation). The stories are app/imports/.
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { z } from 'zod';
import { importHistory } from '../../app/imports/import-history.js';
import { refreshFigures } from '../../app/statistics/facility-statistics.js';
import { importPublishedStatement } from '../../app/imports/import-published-statement.js';
import { publishedFigures } from '../../domain/disclosures/imported-statement.js';
import { reconcileQuarter } from '../../app/imports/reconcile-statement.js';
import { findImportView } from '../../db/repositories/imports.js';
import { versionView } from '../../db/read-models/disclosure-versions.js';
import { sha256Hex } from '../../platform/credentials.js';
import { isUuid } from '../../schemas/common.js';
import { Disclosure } from '../../schemas/disclosures.js';
import { ImportDocument, ImportView, PublishedStatementBody, ReconciliationView } from '../../schemas/imports.js';
import { actingOf, actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { notFound } from '../errors.js';
import { describe } from '../openapi.js';
import { presentVersion } from '../presenters/disclosures.js';
import { presentImport, presentReconciliation } from '../presenters/imports.js';
import { parseOrThrow } from '../validate.js';
import { disclosureRef } from './disclosure-ref.js';

const Statement = '/api/v1/disclosures/:institutionCode/:quarter';
describe({
  method: 'post',
  path: '/api/v1/imports',
  operationId: 'importHistory',
  errors: ['booking_in_future', 'booking_out_of_order', 'operation_not_found', 'operation_exists', 'institution_not_eligible'],
  tag: 'imports',
  roles: ['operator', 'bank'],
  summary:
    "Import a bank's past records (an operator, or the bank itself in migration mode): all checked first, then booked in date order on their own dates, in parts of bounded size (a document of one part in one transaction); the same document again answers the first answer, or resumes an import stopped between parts",
  body: ImportDocument,
  responses: { 201: ImportView },
  idempotent: true,
});
describe({
  method: 'get',
  path: '/api/v1/imports/:id',
  operationId: 'getImport',
  tag: 'imports',
  roles: ['operator', 'bank'],
  summary: 'An import: its document hash, who imported it and when, its counts and every record it booked or skipped',
  responses: { 200: ImportView },
});
describe({
  method: 'post',
  path: `${Statement}/published-statement`,
  operationId: 'importPublishedStatement',
  errors: ['statement_conflict', 'illegal_transition', 'no_policy_in_force'],
  tag: 'imports',
  roles: ['operator', 'bank'],
  summary:
    "A bank's already published statement (figures, publication date, source), stored as the quarter's published version marked imported; 201 created, 200 when the same statement was imported before",
  body: PublishedStatementBody,
  responses: { 201: Disclosure, 200: Disclosure },
  idempotent: true,
});
describe({
  method: 'get',
  path: `${Statement}/reconciliation`,
  operationId: 'getStatementReconciliation',
  tag: 'imports',
  roles: ['operator', 'bank'],
  summary: 'The imported statement against the figures compiled now from the loan-level records, figure by figure',
  responses: { 200: ReconciliationView },
});

const ImportId = z.object({ id: z.string() });

export function importRoutes(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const ref = disclosureRef;

  router.post('/imports', requireRole('operator', 'bank'), async (req, res) => {
    const document = parseOrThrow(ImportDocument, req.body);
    const documentSha256 = (req as unknown as { bodySha256?: string }).bodySha256 ?? sha256Hex(JSON.stringify(req.body ?? null));
    const outcome = await importHistory(db, actingOf(deps, res), { document, documentSha256 });
    if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(outcome.result);
    // the facility's figures summarise the imported applications now, not in the next reader's request
    if (!outcome.replayed)
      void refreshFigures(db).catch((err) =>
        deps.logger.warn({ err: (err as Error).message }, 'statistics refresh after an import failed'),
      );
  });

  router.get('/imports/:id', requireRole('operator', 'bank'), async (req, res) => {
    const actor = actorOf(res);
    const { id } = parseOrThrow(ImportId, req.params);
    const view = isUuid(id) ? await findImportView(db, id) : null;
    if (!view || (actor.role !== 'operator' && view.import.institutionId !== actor.institutionId)) throw notFound(`import ${id}`);
    res.json(presentImport(view));
  });

  router.post('/disclosures/:institutionCode/:quarter/published-statement', requireRole('operator', 'bank'), async (req, res) => {
    const target = ref(req);
    const body = parseOrThrow(PublishedStatementBody, req.body);
    const { restatement, ...given } = body;
    // the figures as the bank printed them (domain/disclosures/imported-statement.ts)
    const horizons = (h: typeof given.horizons) => ({
      quarter: publishedFigures(h.quarter),
      yearToDate: publishedFigures(h.yearToDate),
      sinceInception: publishedFigures(h.sinceInception),
    });
    const statement = {
      ...given,
      horizons: horizons(given.horizons),
      byArea: given.byArea.map((a) => ({ area: a.area, ...horizons(a) })),
    };
    const outcome = await perform(db, actingOf(deps, res), (ctx) => importPublishedStatement(ctx, { ...target, statement, restatement }));

    res.status(outcome.created ? 201 : 200).json(presentVersion((await versionView(db, outcome.row.id))!));
  });

  router.get('/disclosures/:institutionCode/:quarter/reconciliation', requireRole('operator', 'bank'), async (req, res) => {
    const target = ref(req);
    res.json(presentReconciliation(await perform(db, actingOf(deps, res), (ctx) => reconcileQuarter(ctx, target))));
  });

  return router;
}
