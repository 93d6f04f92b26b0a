/**
 * /evidence/:sha256 — an evidence file for a signed-in reader of the pages (the verifier opening it
 * from its sample, the bank, an operator): the same use case and the same headers as
 * GET /api/v1/evidence/:sha256 (sandboxed, never sniffed); a file the reader may not read is a 404 page.
 */
import { Router } from 'express';
import { readEvidence } from '../../app/disclosures/read-evidence.js';
import { perform, settled } from '../../app/perform.js';
import { Sha256Hex } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { evidenceStoreOf } from '../../api/evidence-store.js';
import { evidenceHeaders, matchesEtag } from '../../api/presenters/evidence.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf } from './context.js';
import { sendMessagePage } from './layout.js';

export function evidencePages(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const store = evidenceStoreOf(deps.env);

  router.get('/evidence/:sha256', async (req, res) => {
    const ctx = pageOf(res);
    const actor = pageActorOf(res);
    if (!actor) return res.redirect(303, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
    const sha256 = Sha256Hex.safeParse(req.params.sha256);
    if (!sha256.success) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const etagOnly = matchesEtag(req.get('if-none-match'), sha256.data);
    const found = await settled(
      perform(db, { now: deps.now(), actor }, (uc) => readEvidence(uc, { sha256: sha256.data, withBytes: !etagOnly, store })),
    );
    if (!found.ok) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const { file, title, bytes } = found.value;
    res.set(evidenceHeaders(file, title));
    if (etagOnly) return void res.status(304).end();
    res.status(200).end(Buffer.from(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength));
  });

  return router;
}
