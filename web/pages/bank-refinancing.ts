/**
 * The bank's refinancing pages: applications (/bank/applications: apply with a selection of loans or
 * every eligible loan up to a date, pledge collateral, follow the decisions), tranches (/bank/tranches:
 * the interest statement, maturities and rollovers due, rolling a tranche over) and margin calls
 * (/bank/margin-calls: collateral margin calls and pool shortfalls). Each form runs the API's use case.
 */
import { Router, type Request, type Response } from 'express';
import { shanghaiDate } from '../../domain/dates.js';
import { parseYuan } from '../../domain/money.js';
import { policyOn } from '../../domain/policy/index.js';
import { COLLATERAL_TYPES } from '../../domain/refinancing/collateral.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import { pledgeCollateral, submitApplication, type CollateralInput, type LoanSelection } from '../../app/refinancing/applications.js';
import { rollOverTranche, statementOf } from '../../app/refinancing/tranches.js';
import { listApplications } from '../../db/repositories/refinancing/applications.js';
import { listMarginCalls } from '../../db/repositories/refinancing/collateral.js';
import { listPoolShortfalls } from '../../db/repositories/pool-shortfalls.js';
import { isUuid } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentApplication, presentMarginCall, presentPoolShortfall, presentStatement } from '../../api/presenters/refinancing.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, PAGE_ROWS, wordsOf } from './bank-layout.js';
import type { BankWords } from './bank-words.js';
import { pageOf, type PageContext } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { cells, html, numCells, type Html } from './html.js';
import { sendPage } from './layout.js';

const CODE = /^[a-z_]{1,64}$/;
const AMOUNT_PATTERN = '\\d{1,15}(\\.\\d{1,2})?';

/** The refusal or success line a form's redirect names (?error=status or ?done=1). */
function outcome(req: Request, ctx: PageContext, w: BankWords): Html {
  const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  return req.query.done ? html`<p class="notice" role="status">${w.done}</p>` : html``;
}

const collateralFields = (w: BankWords, id: string, required: boolean) => html`
<label for="${id}-type">${w.collateralType}</label><select id="${id}-type" name="collateralType">${COLLATERAL_TYPES.map((t) => html`<option value="${t}">${t}</option>`)}</select>
<label for="${id}-ref">${w.collateralRef}</label><input id="${id}-ref" name="collateralRef" maxlength="100"${required ? html` required` : ''}>
<label for="${id}-face">${w.faceValue}</label><input id="${id}-face" name="faceValue" inputmode="decimal" pattern="${AMOUNT_PATTERN}"${required ? html` required` : ''}>
<label for="${id}-market">${w.marketValue}</label><input id="${id}-market" name="marketValue" inputmode="decimal" pattern="${AMOUNT_PATTERN}"${required ? html` required` : ''}>`;

/** The collateral of a form (one instrument), none when its reference is blank, null when malformed. */
function collateralOf(body: Record<string, unknown>): CollateralInput[] | null {
  const ref = String(body.collateralRef ?? '').trim();
  if (!ref) return [];
  const type = String(body.collateralType ?? '');
  const faceFen = parseYuan(String(body.faceValue ?? '').trim());
  const marketFen = parseYuan(String(body.marketValue ?? '').trim());
  if (!(COLLATERAL_TYPES as readonly string[]).includes(type) || faceFen === null || marketFen === null) return null;
  return [{ type: type as CollateralInput['type'], ref, faceFen, marketFen }];
}

export function bankRefinancingPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const today = () => shanghaiDate(deps.now());

  /** Runs a use case as the signed-in bank user; back to `page` with ?done or ?error=status. */
  const command =
    <I>(page: string, parse: (req: Request) => I | null, useCase: (ctx: ActorContext, input: I, req: Request) => Promise<unknown>) =>
    async (req: Request, res: Response) => {
      const actor = pageActorOf(res)!;
      const input = parse(req);
      if (input === null) return res.redirect(303, `${page}?error=invalid_input`);
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => useCase(uc, input, req)));
      res.redirect(303, result.ok ? `${page}?done=1` : `${page}?error=${encodeURIComponent(result.status)}`);
    };

  router.get('/applications', async (req, res) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const format = exportFormatOf(req.query.export);
    const rows = (await listApplications(db, { institutionId: actor.institutionId, limit: format ? EXPORT_LIMIT : PAGE_ROWS })).map(
      presentApplication,
    );
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
        html`<tr id="app-${a.id}"><th scope="row">${a.operation}</th>${cells([a.appliedOn, a.status])}${numCells([a.requested, a.approved ?? ''])}${cells(
          [
            a.decisionReason ?? '',
            a.status === 'rejected'
              ? ''
              : html`<details><summary>${w.pledge}</summary><form method="post" action="/bank/applications/${a.id}/collateral" class="pledge">${ctx.csrfField()}${collateralFields(w, `pledge-${a.id}`, true)}<button type="submit">${w.pledge}</button></form></details>`,
          ],
        )}</tr>`,
    );
    const body = html`<h1>${w.navApplications}</h1>${bankNav(ctx, '/bank/applications')}
${outcome(req, ctx, w)}
<section aria-labelledby="h-new"><h2 id="h-new">${w.newApplication}</h2>
<form method="post" action="/bank/applications" class="apply">${ctx.csrfField()}
<label for="a-operation">${w.operation}</label><input id="a-operation" name="operation" pattern="\\d{4}Q[1-4]" placeholder="2026Q1" maxlength="6">
<label for="a-refs">${w.loanRefsLabel}</label><textarea id="a-refs" name="loanRefs" rows="3"></textarea>
<label for="a-through">${w.allThrough}</label><input id="a-through" name="allDisbursedThrough" type="date">
${collateralFields(w, 'a-collateral', false)}
<button type="submit">${w.submit}</button></form></section>
<section aria-labelledby="h-apps"><h2 id="h-apps">${w.applications}</h2>${exportLinks(ctx)}
${listTable(w.applications, [...head, w.pledge], trs, w.noneYet)}</section>`;
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
    const trs = data.map((d) => html`<tr><th scope="row">${d[0]}</th>${cells(d.slice(1, 4))}${numCells(d.slice(4))}</tr>`);
    const due = statement.upcomingMaturities.map(
      (m) =>
        html`<tr><th scope="row">${m.facilityId.slice(0, 8)}</th>${cells([m.maturesOn])}${numCells([m.outstanding, m.rolloverCount, m.rolloversLeft])}<td>${
          m.rolloversLeft > 0
            ? html`<form method="post" action="/bank/tranches/${m.facilityId}/rollover">${ctx.csrfField()}<button type="submit">${w.rollOver}</button></form>`
            : ''
        }</td></tr>`,
    );
    const body = html`<h1>${w.navTranches}</h1>${bankNav(ctx, '/bank/tranches')}
${outcome(req, ctx, w)}
<section aria-labelledby="h-statement"><h2 id="h-statement">${w.statement} · ${on}</h2>
<dl class="facts"><dt>${w.outstandingTotal}</dt><dd>${statement.outstandingPrincipal}</dd><dt>${w.interestDue}</dt><dd>${statement.accruedInterest}</dd></dl>
${exportLinks(ctx)}${listTable(w.tranches, head, trs, w.noneYet)}</section>
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
