/** The operator's workflow pages: collateral: revalue. */
import { Router } from 'express';
import { revalueCollateral } from '../../app/refinancing/collateral.js';
import { pledgedCollateral } from '../../db/read-models/operator-workflows.js';
import { formatYuan, parseYuan } from '../../domain/money.js';
import { isUuid } from '../../schemas/common.js';
import { RevalueBody } from '../../schemas/refinancing.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

import { fenFigure } from './figures.js';
import { collateralTypeWord, statusWord } from './i18n.js';
import { pager, pageRows, pagingOf } from './paging.js';
import { LIST_LIMIT, YUAN_PATTERN, commandOf, outcome, subnav, table, text } from './operator-work.js';

export function collateralPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- collateral: revalue
  router.get('/collateral', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const paging = pagingOf(req, LIST_LIMIT);
    const { shown, hasNext } = pageRows(await pledgedCollateral(db, paging.limit, paging.offset), paging);
    const rows = shown.map(({ collateral: c, institutionCode, quarter, applicationStatus }) => {
      const p = `cl-${c.id}`;
      return html`<tr id="${p}"><th scope="row">${c.instrumentRef}<br><small>${collateralTypeWord(ctx.lang, c.instrumentType)}</small></th>${cells(
        [html`${institutionCode} · ${quarter}<br><small>${statusWord(ctx.lang, applicationStatus)}</small>`],
      )}${numCells([fenFigure(ctx.lang, c.faceFen), html`${fenFigure(ctx.lang, c.marketFen)}<br><small>${c.valuedOn}</small>`])}<td><form method="post" action="/operator/collateral/${c.id}/revalue" class="decision">${ctx.csrfField()}
<label for="${p}-market">${t.owMarketValue}</label><input id="${p}-market" name="marketValue" required inputmode="decimal" pattern="${YUAN_PATTERN}">
<label for="${p}-valued">${t.owValuedOn}</label><input id="${p}-valued" name="valuedOn" type="date">
<button type="submit">${t.owRevalue}</button></form></td></tr>`;
    });
    const head = [
      `${t.owInstrument} · ${t.owInstrumentType}`,
      `${t.institution} · ${t.quarter} · ${t.opStatus}`,
      t.owFaceValue,
      `${t.owMarketValue} · ${t.owValuedOn}`,
      t.opAction,
    ];
    const body = html`<h1>${t.owCollateralHeading}</h1>${subnav(ctx, '/operator/collateral')}${outcome(ctx, req)}
<p class="hint">${t.owCollateralHint}</p>${table(t.owCollateralHeading, head, rows, t.opNone)}${pager(ctx, paging, rows.length, hasNext)}`;
    sendPage(res, ctx, t.owCollateralHeading, body);
  });
  router.post(
    '/collateral/:id/revalue',
    command(
      '/operator/collateral',
      (form) => {
        const parsed = RevalueBody.safeParse({
          marketValue: text(form.marketValue),
          ...(text(form.valuedOn) ? { valuedOn: text(form.valuedOn) } : {}),
        });
        return parsed.success && isUuid(text(form.id))
          ? { collateralId: text(form.id), marketFen: parseYuan(parsed.data.marketValue)!, valuedOn: parsed.data.valuedOn }
          : null;
      },
      async (ctx, input) => {
        const r = await revalueCollateral(ctx, input);
        return `${r.collateral.instrumentRef}: ${formatYuan(r.collateral.marketFen)} (${r.collateral.valuedOn})`;
      },
    ),
  );

  return router;
}
