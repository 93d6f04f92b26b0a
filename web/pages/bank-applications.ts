/**
 * The bank's applications (/bank/applications): apply with a selection of loans or every eligible loan up
 * to a date, pledge collateral, follow the decisions. Each form runs the API's use case.
 */
import { Router } from 'express';
import { submitApplication, pledgeCollateral, type LoanSelection } from '../../app/refinancing/applications.js';
import { listApplications } from '../../db/repositories/refinancing/applications.js';
import { isUuid } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { presentApplication } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, PAGE_ROWS, wordsOf } from './bank-layout.js';
import { bankCommand, collateralFields, collateralOf, outcome } from './bank-refinancing-shared.js';
import { pageOf } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { yuanFigure } from './figures.js';
import { statusWord } from './i18n.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

export function bankApplicationPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = bankCommand(deps);

  router.get('/applications', async (req, res) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const format = exportFormatOf(req.query.export);
    const paging = pagingOf(req, PAGE_ROWS);
    const read = (await listApplications(db, { institutionId: actor.institutionId, limit: format ? EXPORT_LIMIT : readLimit(paging) })).map(
      presentApplication,
    );
    const { shown: rows, hasNext } = format ? { shown: read, hasNext: false } : pageOfRead(read, paging);
    const head = [w.operation, w.appliedOn, w.status, w.requested, w.approved, w.decisionReason];
    if (format)
      return sendTable(
        res,
        format,
        'applications',
        head,
        rows.map((a) => [a.operation, a.appliedOn, a.status, a.requested, a.approved, a.decisionReason]),
      );
    const trs = rows.map(
      (a) =>
        html`<tr id="app-${a.id}"><th scope="row">${a.operation}</th>${cells([a.appliedOn, statusWord(ctx.lang, a.status)])}${numCells([
          yuanFigure(ctx.lang, a.requested),
          a.approved === null ? '—' : yuanFigure(ctx.lang, a.approved),
        ])}${cells([
          a.decisionReason ?? '',
          a.status === 'rejected'
            ? ''
            : html`<details><summary>${w.pledge}</summary><form method="post" action="/bank/applications/${a.id}/collateral" class="pledge stack">${ctx.csrfField()}${collateralFields(ctx, w, `pledge-${a.id}`, true)}<button type="submit">${w.pledge}</button></form></details>`,
        ])}</tr>`,
    );
    const body = html`<h1>${w.navApplications}</h1>${bankNav(ctx, '/bank/applications')}
${outcome(req, ctx, w)}
<section aria-labelledby="h-new"><h2 id="h-new">${w.newApplication}</h2>
<form method="post" action="/bank/applications" class="apply stack">${ctx.csrfField()}
<label for="a-operation">${w.operation}</label><input id="a-operation" name="operation" pattern="\\d{4}Q[1-4]" placeholder="2026Q1" maxlength="6">
<label for="a-refs">${w.loanRefsLabel}</label><textarea id="a-refs" name="loanRefs" rows="3"></textarea>
<label for="a-through">${w.allThrough}</label><input id="a-through" name="allDisbursedThrough" type="date">
${collateralFields(ctx, w, 'a-collateral', false)}
<button type="submit">${w.submit}</button></form></section>
<section aria-labelledby="h-apps"><h2 id="h-apps">${w.applications}</h2>${exportLinks(ctx)}
${listTable(w.applications, [...head, w.pledge], trs, w.noneYet)}${pager(ctx, paging, rows.length, hasNext)}</section>`;
    sendPage(res, ctx, w.navApplications, body);
  });

  router.post(
    '/applications',
    command(
      '/bank/applications',
      (req) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const refs = String(body.loanRefs ?? '')
          .split(/[\s,，;]+/)
          .map((s) => s.trim())
          .filter(Boolean);
        const through = String(body.allDisbursedThrough ?? '').trim();
        const operation = String(body.operation ?? '').trim();
        const collateral = collateralOf(body);
        if (collateral === null || (refs.length === 0) === (through === '')) return null;
        if (operation && !/^\d{4}Q[1-4]$/.test(operation)) return null;
        if (through && !/^\d{4}-\d{2}-\d{2}$/.test(through)) return null;
        const selection: LoanSelection = refs.length ? { loanRefs: refs } : { allDisbursedThrough: through };
        return { quarter: operation || undefined, selection, collateral };
      },
      (ctx, input) => submitApplication(ctx, input),
    ),
  );

  router.post(
    '/applications/:id/collateral',
    command(
      '/bank/applications',
      (req) => {
        const items = collateralOf((req.body ?? {}) as Record<string, unknown>);
        return isUuid(String(req.params.id)) && items && items.length ? { applicationId: String(req.params.id), items } : null;
      },
      (ctx, input) => pledgeCollateral(ctx, input),
    ),
  );

  return router;
}
