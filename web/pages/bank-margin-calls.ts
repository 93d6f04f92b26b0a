/**
 * The bank's margin calls (/bank/margin-calls): collateral margin calls and pool shortfalls.
 */
import { Router } from 'express';
import { shanghaiDate } from '../../domain/dates.js';
import { listMarginCalls } from '../../db/repositories/refinancing/collateral.js';
import { listPoolShortfalls } from '../../db/repositories/pool-shortfalls.js';
import type { AppDeps } from '../../process/context.js';
import { presentMarginCall, presentPoolShortfall } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, PAGE_ROWS, wordsOf } from './bank-layout.js';
import { pageOf } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { yuanFigure } from './figures.js';
import { statusWord } from './i18n.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

export function bankMarginCallPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const today = () => shanghaiDate(deps.now());

  router.get('/margin-calls', async (req, res) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const format = exportFormatOf(req.query.export);
    const paging = pagingOf(req, PAGE_ROWS);
    const limit = format ? EXPORT_LIMIT : readLimit(paging);
    const readCalls = (await listMarginCalls(db, { institutionId: actor.institutionId, limit })).map(presentMarginCall);
    const readShortfalls = (await listPoolShortfalls(db, { institutionId: actor.institutionId, limit })).map((s) =>
      presentPoolShortfall(s, today()),
    );
    // one page number pages both lists (each shows its own rows of that page)
    const callPage = format ? { shown: readCalls, hasNext: false } : pageOfRead(readCalls, paging);
    const shortPage = format ? { shown: readShortfalls, hasNext: false } : pageOfRead(readShortfalls, paging);
    const [calls, shortfalls] = [callPage.shown, shortPage.shown];
    const callHead = [w.raisedOn, w.status, w.eligibleCollateral, w.exposure, w.shortfall];
    const shortHead = [w.raisedOn, w.dueOn, w.status, w.outstanding, w.amountOwed];
    const callData = calls.map((c) => [c.raisedOn, c.status, c.eligibleCollateral, c.exposure, c.shortfall]);
    const shortData = shortfalls.map((s) => [s.raisedOn, s.dueOn, s.status, s.trancheOutstanding, s.amount]);
    if (format)
      return sendTable(
        res,
        format,
        'margin-calls',
        ['kind', ...callHead],
        [...callData.map((d) => ['margin_call', ...d]), ...shortData.map((d) => ['pool_shortfall', ...d])],
      );
    const body = html`<h1>${w.navMarginCalls}</h1>${bankNav(ctx, '/bank/margin-calls')}${exportLinks(ctx)}
<section aria-labelledby="h-calls"><h2 id="h-calls">${w.marginCalls}</h2>
${listTable(
  w.marginCalls,
  callHead,
  calls.map(
    (c) =>
      html`<tr><th scope="row">${c.raisedOn}</th>${cells([statusWord(ctx.lang, c.status)])}${numCells(
        [c.eligibleCollateral, c.exposure, c.shortfall].map((yuan) => yuanFigure(ctx.lang, yuan)),
      )}</tr>`,
  ),
  w.noneYet,
)}</section>
<section aria-labelledby="h-pool"><h2 id="h-pool">${w.poolShortfalls}</h2>
${listTable(
  w.poolShortfalls,
  shortHead,
  shortfalls.map(
    (s) =>
      html`<tr><th scope="row">${s.raisedOn}</th>${cells([s.dueOn, statusWord(ctx.lang, s.status)])}${numCells(
        [s.trancheOutstanding, s.amount].map((yuan) => yuanFigure(ctx.lang, yuan)),
      )}</tr>`,
  ),
  w.noneYet,
)}${pager(ctx, paging, Math.max(calls.length, shortfalls.length), callPage.hasNext || shortPage.hasNext)}</section>`;
    sendPage(res, ctx, w.navMarginCalls, body);
  });

  return router;
}
