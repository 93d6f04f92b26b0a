/** The operator's workflow pages: loans flagged for their rate: accept with a reason. */
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { fenFigure } from './figures.js';
import { Router } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { listLoans } from '../../db/repositories/loans.js';
import { shanghaiDate } from '../../domain/dates.js';
import { formatPpmAsPercent } from '../../domain/money.js';
import { isUuid } from '../../schemas/common.js';
import { AcceptBody } from '../../schemas/loans.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

import { LIST_LIMIT, commandOf, outcome, pending, subnav, table, text } from './operator-work.js';

export function flaggedLoanPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- loans flagged for their rate: accept with a reason
  router.get('/loans', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const paging = pagingOf(req, LIST_LIMIT);
    const { shown: rows, hasNext } = pageOfRead(
      await listLoans(db, { eligibility: 'flagged', on: shanghaiDate(deps.now()), limit: readLimit(paging) }),
      paging,
    );
    const loanRows = rows.map(({ loan, project, institutionCode: code }) => {
      return html`<tr id="loan-${loan.id}"><th scope="row">${loan.loanRef}</th>${cells([code, project.name, loan.disbursedOn])}${numCells([
        fenFigure(ctx.lang, loan.principalFen),
        `${formatPpmAsPercent(loan.ratePpm, 4)}%`,
      ])}<td><form method="post" action="/operator/loans/${loan.id}/accept" class="decision">${ctx.csrfField()}
<label for="accept-${loan.id}">${t.opReason}</label><input id="accept-${loan.id}" name="reason" required maxlength="1000">
<button type="submit">${t.owAccept}</button></form></td></tr>`;
    });
    const head = [t.loanRef, t.institution, t.vfProject, t.vfDisbursedOn, t.principal, t.rate, t.opAction];
    const body = html`<h1>${t.owFlaggedHeading}</h1>${subnav(ctx, '/operator/loans')}${outcome(ctx, req)}
<p class="hint">${t.owFlaggedHint}</p>${table(t.owFlaggedHeading, head, loanRows, t.opNone)}${pager(ctx, paging, rows.length, hasNext)}`;
    sendPage(res, ctx, t.owFlaggedHeading, body);
  });
  router.post(
    '/loans/:id/accept',
    command(
      '/operator/loans',
      (form) => {
        const parsed = AcceptBody.safeParse({ reason: text(form.reason), ...(text(form.on) ? { on: text(form.on) } : {}) });
        return parsed.success && isUuid(text(form.id)) ? { loanId: text(form.id), reason: parsed.data.reason, on: parsed.data.on } : null;
      },
      // four eyes, as POST /api/v1/loans/:id/accept
      async (ctx, input) =>
        pending(await proposeAct(ctx, 'accept_flagged_loan', input, { reason: input.reason }), 'accepting a flagged loan'),
    ),
  );

  return router;
}
