/** The operator's workflow pages: operations: open, allocate, close. */
import { yuanFigure } from './figures.js';
import { Router } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { allocateOperation } from '../../app/refinancing/decisions.js';
import { closeOperation } from '../../app/refinancing/operations.js';
import { listOperations } from '../../db/repositories/refinancing/operations.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { CreateOperationBody } from '../../schemas/refinancing.js';
import type { AppDeps } from '../../process/context.js';
import { presentOperation } from '../../api/presenters/refinancing.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { pageOf } from './context.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

import { YUAN_PATTERN, commandOf, dateFields, dated, outcome, pending, quarterOf, section, subnav, table, text } from './operator-work.js';

/** Operations a page lists (one a quarter: ten years). */
const OPERATIONS_PAGE = 40;

export function operationPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- operations: open, allocate, close
  router.get('/operations', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const paging = pagingOf(req, OPERATIONS_PAGE);
    const { shown: rows, hasNext } = pageOfRead(await listOperations(db, { limit: readLimit(paging) }), paging);
    const operationRows = rows.map(({ operation, usage }) => {
      const o = presentOperation(operation, usage);
      const q = o.quarter;
      const actions =
        o.status === 'open'
          ? html`<form method="post" action="/operator/operations/${q}/allocate" class="decision">${ctx.csrfField()}<button type="submit">${t.owAllocate}</button></form>
<form method="post" action="/operator/operations/${q}/close" class="decision">${ctx.csrfField()}<button type="submit" class="secondary">${t.owClose}</button></form>`
          : '';
      return html`<tr id="op-${q}"><th scope="row">${q}</th>${cells([o.status === 'open' ? t.owOpenStatus : t.owClosedStatus])}${numCells([
        yuanFigure(ctx.lang, o.volume),
        yuanFigure(ctx.lang, o.approved),
        yuanFigure(ctx.lang, o.disbursed),
        yuanFigure(ctx.lang, o.remaining),
        o.awaitingDecision.count,
      ])}<td>${actions}</td></tr>`;
    });
    const head = [t.quarter, t.opStatus, t.opVolume, t.opApproved, t.opDisbursed, t.opRemaining, t.opAwaiting, t.opAction];
    const body = html`<h1>${t.opOperations}</h1>${subnav(ctx, '/operator/operations')}${outcome(ctx, req)}
${section(
  'h-open',
  t.owOpenHeading,
  html`<form method="post" action="/operator/operations" class="stack narrow">${ctx.csrfField()}
<label for="op-quarter">${t.quarter}</label><input id="op-quarter" name="quarter" required pattern="\\d{4}Q[1-4]" placeholder="2022Q4">
<label for="op-volume">${t.owVolumeYuan}</label><input id="op-volume" name="volume" required inputmode="decimal" pattern="${YUAN_PATTERN}">
${dateFields(ctx, 'op')}
<button type="submit">${t.owOpen}</button></form>`,
)}
${section('h-ops', t.opOperations, html`<p class="hint">${t.owAllocateHint}</p>${table(t.opOperations, head, operationRows, t.opNone)}${pager(ctx, paging, rows.length, hasNext)}`)}`;
    sendPage(res, ctx, t.opOperations, body);
  });

  router.post(
    '/operations',
    command(
      '/operator/operations',
      (form) => {
        const parsed = CreateOperationBody.safeParse({ quarter: text(form.quarter), volume: text(form.volume), ...dated(form) });
        return parsed.success ? parsed.data : null;
      },
      async (ctx, b) => {
        // four eyes, as POST /api/v1/operations
        const input = { quarter: b.quarter, volumeFen: String(parseYuan(b.volume)!), on: b.on, reason: b.reason };
        return pending(await proposeAct(ctx, 'open_operation', input, { reason: b.reason }), 'opening an operation');
      },
    ),
  );
  router.post(
    '/operations/:quarter/allocate',
    command(
      '/operator/operations',
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, { quarter }) => {
        const r = await allocateOperation(ctx, { quarter });
        const total = r.allocatedFen.reduce((s, x) => s + x, 0n);
        return `${quarter}: ${r.applications.length} → ${formatYuan(total)} (${r.rule}${r.oversubscribed ? ', oversubscribed' : ''})`;
      },
    ),
  );
  router.post(
    '/operations/:quarter/close',
    command(
      '/operator/operations',
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, { quarter }) => `${(await closeOperation(ctx, { quarter })).quarter} closed`,
    ),
  );

  return router;
}
