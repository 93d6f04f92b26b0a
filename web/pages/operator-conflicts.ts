/** The operator's workflow pages: verifier conflicts: declare one. */
import { Router } from 'express';
import { declareConflict } from '../../app/disclosures/verification.js';
import { allConflicts } from '../../db/read-models/operator-workflows.js';
import { listInstitutions } from '../../db/repositories/institutions.js';
import { DeclareConflictBody } from '../../schemas/verification.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { pager, pageRows, pagingOf } from './paging.js';
import { cells, html } from './html.js';
import { sendPage } from './layout.js';

import { LIST_LIMIT, commandOf, outcome, section, subnav, table, text } from './operator-work.js';

export function conflictPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- verifier conflicts
  router.get('/conflicts', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const paging = pagingOf(req, LIST_LIMIT);
    const [read, verifiers, banks] = [
      await allConflicts(db, paging.limit, paging.offset),
      (await listInstitutions(db, { kind: 'verifier', limit: LIST_LIMIT })).slice(0, LIST_LIMIT),
      (await listInstitutions(db, { kind: 'bank', limit: 1000 })).slice(0, 1000),
    ];
    const name = (i: { nameZh: string; nameEn: string }) => (ctx.lang === 'zh' ? i.nameZh : i.nameEn);
    const options = (list: typeof banks) => list.map((i) => html`<option value="${i.code}">${i.code} · ${name(i)}</option>`);
    const { shown: conflicts, hasNext } = pageRows(read, paging);
    const rows = conflicts.map((c) => html`<tr><th scope="row">${c.verifier}</th>${cells([c.bank, c.reason])}</tr>`);
    const body = html`<h1>${t.owConflictsHeading}</h1>${subnav(ctx, '/operator/conflicts')}${outcome(ctx, req)}
<p class="hint">${t.owConflictsHint}</p>
${section(
  'h-declare',
  t.owDeclareHeading,
  html`<form method="post" action="/operator/conflicts" class="stack narrow">${ctx.csrfField()}
<label for="cf-verifier">${t.verifier}</label><select id="cf-verifier" name="verifier" required><option value="">${t.vfChoose}</option>${options(verifiers)}</select>
<label for="cf-bank">${t.vfBank}</label><select id="cf-bank" name="bank" required><option value="">${t.vfChoose}</option>${options(banks)}</select>
<label for="cf-reason">${t.opReason}</label><input id="cf-reason" name="reason" required maxlength="2000">
<button type="submit">${t.owDeclare}</button></form>`,
)}
${section('h-conflicts', t.owConflictsHeading, html`${table(t.owConflictsHeading, [t.verifier, t.vfBank, t.opReason], rows, t.opNone)}${pager(ctx, paging, rows.length, hasNext)}`)}`;
    sendPage(res, ctx, t.owConflictsHeading, body);
  });
  router.post(
    '/conflicts',
    command(
      '/operator/conflicts',
      (form) => {
        const parsed = DeclareConflictBody.safeParse({ bank: text(form.bank), reason: text(form.reason) });
        const verifier = text(form.verifier);
        return parsed.success && verifier && verifier.length <= 50
          ? { verifierCode: verifier, bankCode: parsed.data.bank, reason: parsed.data.reason }
          : null;
      },
      async (ctx, input) => {
        const r = await declareConflict(ctx, input);
        return `${r.verifier} × ${r.bank}`;
      },
    ),
  );

  return router;
}
