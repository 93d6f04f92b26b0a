/** The operator's workflow pages: tranches: roll over, repay. */
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { fenFigure } from './figures.js';
import { statusWord } from './i18n.js';
import { Router } from 'express';
import { repayTranche, rollOverTranche } from '../../app/refinancing/tranches.js';
import { listFacilities } from '../../db/repositories/refinancing/tranches.js';
import { shanghaiDate } from '../../domain/dates.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { isUuid } from '../../schemas/common.js';
import { RepayBody } from '../../schemas/refinancing.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

import { LIST_LIMIT, YUAN_PATTERN, commandOf, outcome, subnav, table, text } from './operator-work.js';

export function tranchePages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- tranches: roll over, repay
  router.get('/tranches', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const on = shanghaiDate(deps.now());
    const paging = pagingOf(req, LIST_LIMIT);
    const listed = await listFacilities(db, {
      institutionId: null,
      on,
      status: ['active', 'matured', 'overdue'],
      limit: readLimit(paging),
    });
    const { shown: live, hasNext } = pageOfRead(listed, paging);
    const rows = live.map(({ facility: f, institutionCode }) => {
      const p = `tr-${f.id}`;
      return html`<tr id="${p}"><th scope="row">${institutionCode}</th>${cells([f.startOn, f.maturesOn, statusWord(ctx.lang, f.status)])}${numCells(
        [fenFigure(ctx.lang, f.outstandingFen), f.rolloverCount],
      )}<td><form method="post" action="/operator/tranches/${f.id}/rollover" class="decision">${ctx.csrfField()}<button type="submit">${t.owRollOver}</button></form>
<form method="post" action="/operator/tranches/${f.id}/repay" class="decision">${ctx.csrfField()}
<label for="${p}-principal">${t.owRepayPrincipal}</label><input id="${p}-principal" name="principal" required inputmode="decimal" pattern="${YUAN_PATTERN}">
<button type="submit" class="secondary">${t.owRepay}</button></form></td></tr>`;
    });
    const head = [t.institution, t.opStartOn, t.opMaturesOn, t.opStatus, t.opOutstanding, t.opRollovers, t.opAction];
    const body = html`<h1>${t.owTranchesHeading}</h1>${subnav(ctx, '/operator/tranches')}${outcome(ctx, req)}
<p class="hint">${t.owTranchesHint}</p>${table(t.owTranchesHeading, head, rows, t.opNone)}${pager(ctx, paging, live.length, hasNext)}`;
    sendPage(res, ctx, t.owTranchesHeading, body);
  });
  router.post(
    '/tranches/:id/rollover',
    command(
      '/operator/tranches',
      (form) => (isUuid(text(form.id)) ? { facilityId: text(form.id) } : null),
      async (ctx, input) => {
        const r = await rollOverTranche(ctx, input);
        return `${formatYuan(r.facility.outstandingFen)} → ${r.facility.maturesOn}`;
      },
    ),
  );
  router.post(
    '/tranches/:id/repay',
    command(
      '/operator/tranches',
      (form) => {
        const parsed = RepayBody.safeParse({ principal: text(form.principal) });
        return parsed.success && isUuid(text(form.id))
          ? { facilityId: text(form.id), principalFen: parseYuan(parsed.data.principal)! }
          : null;
      },
      async (ctx, input) => {
        const r = await repayTranche(ctx, input);
        return `${formatYuan(r.paidPrincipalFen)} + ${formatYuan(r.paidInterestFen)}`;
      },
    ),
  );

  return router;
}
