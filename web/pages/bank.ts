/**
 * The bank's pages (/bank): its loans with search, filters and each loan's support status; file uploads
 * (bank-uploads.ts); applications, tranches and margin calls (bank-refinancing.ts); disclosure drafts
 * (bank-disclosures.ts). Every list exports as CSV or XLSX (?export=csv|xlsx). Forms run the same use
 * cases as the API.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { bankLoans, type BankLoanRow } from '../../db/read-models/bank-loans.js';
import { shanghaiDate } from '../../domain/dates.js';
import { IsoDateString } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { presentLoan } from '../../api/presenters/loans.js';
import { pageActorOf } from '../session/sessions.js';
import { bankDisclosurePages } from './bank-disclosures.js';
import { bankRefinancingPages } from './bank-refinancing.js';
import { bankUploadPages } from './bank-uploads.js';
import { bankEvidencePages } from './bank-evidence.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, PAGE_ROWS, wordsOf } from './bank-layout.js';
import type { BankWords } from './bank-words.js';
import { pageOf } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';

const LoanFilter = z.object({
  q: z.string().trim().max(200).optional(),
  eligibility: z.enum(['eligible', 'flagged', 'accepted']).optional().catch(undefined),
  subArea: z.string().trim().max(50).optional(),
  disbursedFrom: IsoDateString.optional().catch(undefined),
  disbursedTo: IsoDateString.optional().catch(undefined),
  support: z.enum(['supported', 'unsupported']).optional().catch(undefined),
});

/** One loan as the list's cells: figures, support status and acceptance. */
function loanCells(row: BankLoanRow, w: BankWords) {
  const l = presentLoan(row);
  const s = row.support;
  const application = s ? `${s.operation} · ${s.applicationStatus}` : w.none;
  const tranche = s?.facilityId ? `${s.facilityStatus} · ${s.facilityMaturesOn}` : w.none;
  const flag = l.lprComparison.withinBand ? w.withinBand : `${w.flagged} (${l.lprComparison.deviationBp} bp)`;
  const acceptance = l.acceptance ? `${l.acceptance.by}: ${l.acceptance.reason}` : l.eligibility === 'flagged' ? w.none : '';
  return { l, application, tranche, flag, acceptance };
}

export function bankPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.use('/uploads', bankUploadPages(deps));
  router.use('/evidence', bankEvidencePages(deps));
  router.use(bankRefinancingPages(deps));
  router.use('/disclosures', bankDisclosurePages(deps));

  router.get('/', async (req, res: Response) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v !== ''));
    const parsed = LoanFilter.safeParse(raw);
    const f = parsed.success ? parsed.data : {};
    const format = exportFormatOf(req.query.export);
    const on = shanghaiDate(deps.now());
    const rows = await bankLoans(db, { institutionId: actor.institutionId, on, ...f, limit: format ? EXPORT_LIMIT : PAGE_ROWS });
    const head = [
      w.loanRef,
      w.project,
      w.borrower,
      w.creditCode,
      w.principal,
      w.outstanding,
      w.rate,
      w.disbursedOn,
      w.maturesOn,
      w.reduction,
      w.rateFlag,
      w.acceptance,
      w.application,
      w.tranche,
    ];
    if (format) {
      const data = rows.map((row) => {
        const { l, application, tranche, flag, acceptance } = loanCells(row, w);
        return [
          l.loanRef,
          l.project.ref,
          l.project.name,
          l.borrower.name,
          l.borrower.creditCode,
          l.principal,
          l.outstandingPrincipal,
          l.annualRatePercent,
          l.disbursedOn,
          l.maturesOn,
          l.attributedAnnualReductionTonnes,
          flag,
          acceptance,
          application,
          tranche,
        ];
      });
      // one value per column: the project's reference and its name apart
      const projectColumns = ctx.lang === 'en' ? ['Project reference', 'Project name'] : ['项目编号', '项目名称'];
      const exportHead = [head[0], ...projectColumns, ...head.slice(2)];
      return sendTable(res, format, 'loans', exportHead, data);
    }
    const trs = rows.map((row) => {
      const { l, application, tranche, flag, acceptance } = loanCells(row, w);
      return html`<tr><th scope="row">${l.loanRef}</th>${cells([html`${l.project.ref}<br><small>${l.project.name}</small>`, l.borrower.name, l.borrower.creditCode])}${numCells(
        [l.principal, l.outstandingPrincipal, l.annualRatePercent],
      )}${cells([l.disbursedOn, l.maturesOn])}${numCells([l.attributedAnnualReductionTonnes])}${cells([flag, acceptance, application, tranche])}</tr>`;
    });
    const sel = (name: string, value: string | undefined, options: [string, string][]) =>
      html`<select id="f-${name}" name="${name}">${options.map(
        ([v, label]) => html`<option value="${v}"${(value ?? '') === v ? html` selected` : ''}>${label}</option>`,
      )}</select>`;
    const form = html`<form method="get" action="/bank" class="filters">
<label for="f-q">${w.search}</label><input id="f-q" name="q" type="search" value="${f.q ?? ''}" maxlength="200">
<label for="f-eligibility">${w.eligibility}</label>${sel('eligibility', f.eligibility, [
      ['', w.any],
      ['eligible', 'eligible'],
      ['flagged', 'flagged'],
      ['accepted', 'accepted'],
    ])}
<label for="f-support">${w.support}</label>${sel('support', f.support, [
      ['', w.any],
      ['supported', w.supported],
      ['unsupported', w.unsupported],
    ])}
<label for="f-subArea">${w.subArea}</label><input id="f-subArea" name="subArea" value="${f.subArea ?? ''}" maxlength="50" placeholder="CE.WIND">
<label for="f-from">${w.disbursedFrom}</label><input id="f-from" name="disbursedFrom" type="date" value="${f.disbursedFrom ?? ''}">
<label for="f-to">${w.disbursedTo}</label><input id="f-to" name="disbursedTo" type="date" value="${f.disbursedTo ?? ''}">
<button type="submit">${w.apply}</button></form>`;
    const body = html`<h1>${w.heading}</h1>
${bankNav(ctx, '/bank')}
${form}
${exportLinks(ctx)}
<p>${w.shown.replace('{n}', String(rows.length)).replace('{max}', String(PAGE_ROWS))}</p>
${listTable(w.heading, head, trs, w.noLoans)}`;
    sendPage(res, ctx, w.heading, body);
  });

  return router;
}
