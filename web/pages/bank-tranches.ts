/**
 * The bank's tranches (/bank/tranches): the interest statement, maturities and rollovers due, rolling a
 * tranche over. The form runs the API's use case.
 */
import { Router } from 'express';
import { shanghaiDate } from '../../domain/dates.js';
import { policyOn } from '../../domain/policy/index.js';
import { rollOverTranche, statementOf } from '../../app/refinancing/tranches.js';
import { isUuid } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { presentStatement } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, exportLinks, listTable, wordsOf } from './bank-layout.js';
import { bankCommand, outcome } from './bank-refinancing-shared.js';
import { pageOf } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { formatRate, yuanFigure } from './figures.js';
import { statusWord } from './i18n.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

export function bankTranchePages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const today = () => shanghaiDate(deps.now());
  const command = bankCommand(deps);

  router.get('/tranches', async (req, res) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const on = today();
    const policy = policyOn(on);
    const statement = presentStatement(await statementOf(db, { institutionId: actor.institutionId, on }), {
      institutionCode: actor.institutionCode,
      on,
      horizonDays: 90,
      policy: { rolloverCountMax: policy?.rolloverCountMax ?? 2 },
    });
    const head = [
      w.tranche,
      w.startOn,
      w.maturesOn,
      w.status,
      w.principal,
      w.outstanding,
      w.rate,
      w.rollovers,
      w.interestAccrued,
      w.interestDue,
    ];
    const format = exportFormatOf(req.query.export);
    const data = statement.tranches.map((t) => [
      t.id.slice(0, 8),
      t.startOn,
      t.maturesOn,
      t.status,
      t.principal,
      t.outstanding,
      t.ratePercent,
      t.rolloverCount,
      t.interestAccrued,
      t.interestDue,
    ]);
    if (format) return sendTable(res, format, 'tranches', head, data);
    // a tranche is named by its dates (a bank knows it as "the tranche from … to …"), amounts readable
    const label = new Map(statement.tranches.map((t) => [t.id, `${t.startOn} → ${t.maturesOn}`]));
    const money = (yuan: string) => yuanFigure(ctx.lang, yuan);
    const trs = statement.tranches.map(
      (t) =>
        html`<tr><th scope="row">${label.get(t.id)}</th>${cells([statusWord(ctx.lang, t.status)])}${numCells([
          money(t.principal),
          money(t.outstanding),
          formatRate(t.ratePercent),
          t.rolloverCount,
          money(t.interestAccrued),
          money(t.interestDue),
        ])}</tr>`,
    );
    const pageHead = [w.tranche, w.status, w.principal, w.outstanding, w.rate, w.rollovers, w.interestAccrued, w.interestDue];
    const due = statement.upcomingMaturities.map(
      (m) =>
        html`<tr><th scope="row">${label.get(m.facilityId) ?? m.maturesOn}</th>${cells([m.maturesOn])}${numCells([money(m.outstanding), m.rolloverCount, m.rolloversLeft])}<td>${
          m.rolloversLeft > 0
            ? html`<form method="post" action="/bank/tranches/${m.facilityId}/rollover">${ctx.csrfField()}<button type="submit">${w.rollOver}</button></form>`
            : ''
        }</td></tr>`,
    );
    const body = html`<h1>${w.navTranches}</h1>${bankNav(ctx, '/bank/tranches')}
${outcome(req, ctx, w)}
<section aria-labelledby="h-statement"><h2 id="h-statement">${w.statement} · ${on}</h2>
<dl class="facts"><dt>${w.outstandingTotal}</dt><dd>${money(statement.outstandingPrincipal)}</dd><dt>${w.interestDue}</dt><dd>${money(statement.accruedInterest)}</dd></dl>
${exportLinks(ctx)}${listTable(w.tranches, pageHead, trs, w.noneYet)}</section>
<section aria-labelledby="h-due"><h2 id="h-due">${w.maturities}</h2>
${listTable(w.maturities, [w.tranche, w.maturesOn, w.outstanding, w.rollovers, w.rolloversLeft, w.rollOver], due, w.noneYet)}</section>`;
    sendPage(res, ctx, w.navTranches, body);
  });

  router.post(
    '/tranches/:id/rollover',
    command(
      '/bank/tranches',
      (req) => (isUuid(String(req.params.id)) ? { facilityId: String(req.params.id) } : null),
      (ctx, input) => rollOverTranche(ctx, input),
    ),
  );

  return router;
}
