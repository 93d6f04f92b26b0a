/**
 * The bank's evidence files (/bank/evidence): each project's declared document (title, SHA-256), a link
 * to the file once uploaded, and an upload form for each one not uploaded yet. The form runs the same use
 * case as PUT /api/v1/evidence/:sha256 (declared hash, SHA-256 and type checked; nothing stored otherwise).
 */
import { beijingTime } from './figures.js';
import { Router } from 'express';
import { storeEvidence } from '../../app/disclosures/upload-evidence.js';
import { perform, settled } from '../../app/perform.js';
import { bankEvidence } from '../../db/read-models/bank-evidence.js';
import { Sha256Hex } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { evidenceStoreOf } from '../../api/evidence-store.js';
import { pageRefusal } from '../../api/problems.js';
import { evidencePageUrl } from '../../api/presenters/evidence.js';
import { CSRF_FIELD } from '../session/csrf.js';
import { receiveEvidenceForm } from '../../api/evidence-body.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, listTable, PAGE_ROWS } from './bank-layout.js';
import { pageOf } from './context.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { cells, html } from './html.js';
import { sendPage } from './layout.js';

const CODE = /^[a-z_]{1,64}$/;

export function bankEvidencePages(deps: AppDeps): Router {
  const router = Router();
  const store = evidenceStoreOf(deps.env);
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const actor = pageActorOf(res)!;
    const paging = pagingOf(req, PAGE_ROWS);
    const { shown: rows, hasNext } = pageOfRead(await bankEvidence(db, actor.institutionId, readLimit(paging)), paging);
    const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
    const action = (sha256: string) => `/bank/evidence/${sha256}?${CSRF_FIELD}=${encodeURIComponent(ctx.csrfToken)}`;
    const trs = rows.map((r, i) => {
      const file = r.uploadedAt
        ? html`<a href="${evidencePageUrl(r.sha256)}">${t.evOpenFile}</a> (${r.mediaType}, ${r.sizeBytes} B, ${t.evUploadedAt} ${beijingTime(ctx.lang, r.uploadedAt)})`
        : html`<form method="post" action="${action(r.sha256)}" enctype="multipart/form-data" class="evidence-upload">
<label for="ev-${i}">${t.evFile} (${r.title})</label>
<input id="ev-${i}" name="file" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" required>
<button type="submit">${t.evUploadButton}</button></form>`;
      return html`<tr><th scope="row">${r.projectRef}</th>${cells([r.projectName, r.title, html`<code class="sha">${r.sha256}</code>`, file])}</tr>`;
    });
    const body = html`<h1>${t.evNav}</h1>${bankNav(ctx, '/bank/evidence')}
<p class="hint">${t.evBankHint}</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${req.query.done ? html`<p class="notice" role="status">${t.evStored}</p>` : ''}
<div class="evidence-list">${listTable(t.evNav, [t.evProjectRef, t.vfProject, t.vfEvidenceTitle, t.vfEvidenceSha, t.evFile], trs, t.nothingHere)}</div>${pager(ctx, paging, rows.length, hasNext)}`;
    sendPage(res, ctx, t.evNav, body);
  });

  router.post('/:sha256', async (req, res) => {
    const actor = pageActorOf(res)!;
    const sha256 = Sha256Hex.safeParse(req.params.sha256);
    const form = sha256.success ? await receiveEvidenceForm(req) : null;
    if (!sha256.success || !form) return res.redirect(303, '/bank/evidence?error=invalid_input');
    const result = await settled(
      perform(db, { now: deps.now(), actor }, (uc) => storeEvidence(uc, { sha256: sha256.data, received: form.received, store })),
    );
    res.redirect(303, result.ok ? '/bank/evidence?done=1' : `/bank/evidence?error=${encodeURIComponent(result.status)}`);
  });

  return router;
}
