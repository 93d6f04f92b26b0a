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
    const limit = format ? EXPORT_LIMIT : PAGE_ROWS;
    const calls = (await listMarginCalls(db, { institutionId: actor.institutionId, limit })).map(presentMarginCall);
    const shortfalls = (await listPoolShortfalls(db, { institutionId: actor.institutionId, limit })).map((s) =>
      presentPoolShortfall(s, today()),
    );
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
  callData.map((d) => html`<tr><th scope="row">${d[0]}</th>${cells([d[1]])}${numCells(d.slice(2))}</tr>`),
  w.noneYet,
)}</section>
<section aria-labelledby="h-pool"><h2 id="h-pool">${w.poolShortfalls}</h2>
${listTable(
  w.poolShortfalls,
  shortHead,
  shortData.map((d) => html`<tr><th scope="row">${d[0]}</th>${cells([d[1], d[2]])}${numCells(d.slice(3))}</tr>`),
  w.noneYet,
)}</section>`;
    sendPage(res, ctx, w.navMarginCalls, body);
  });

  return router;
}
