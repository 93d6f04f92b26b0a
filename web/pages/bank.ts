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
import { pageOf, type PageContext } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { beijingTime, formatRate, formatTonnes, yuanFigure } from './figures.js';
import { cells, html, numCells, type Html } from './html.js';
import { statusWord } from './i18n.js';
import { pager, pageRows, pagingOf } from './paging.js';
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

/** The columns a bank reads every day (the rest is on the loan's own page). */
const listHead = (w: BankWords) => [w.loanRef, w.project, w.borrower, w.amount, w.rate, w.maturesOn, w.eligibility, w.support];

/** Where the loan stands with the facility: its application (operation, status) and latest tranche. */
function supportWords(ctx: PageContext, row: BankLoanRow, w: BankWords) {
  const s = row.support;
  const application = s ? `${s.operation} · ${statusWord(ctx.lang, s.applicationStatus)}` : w.none;
  const tranche = s?.facilityId ? `${statusWord(ctx.lang, s.facilityStatus)} · ${s.facilityMaturesOn}` : w.none;
  return { application, tranche };
}

function loanRow(ctx: PageContext, row: BankLoanRow, w: BankWords): Html {
  const l = presentLoan(row);
  const { application, tranche } = supportWords(ctx, row, w);
  const support = row.support ? html`${application}<br><small>${w.tranche}: ${tranche}</small>` : w.none;
  return html`<tr><th scope="row"><a href="/bank/loans/${row.loan.id}">${l.loanRef}</a></th>${cells([
    html`${l.project.ref}<br><small>${l.project.name}</small>`,
    l.borrower.name,
  ])}${numCells([yuanFigure(ctx.lang, l.principal), formatRate(l.annualRatePercent)])}${cells([
    l.maturesOn,
    statusWord(ctx.lang, l.eligibility),
    support,
  ])}</tr>`;
}

/** Everything about one loan, as a list of terms. */
function loanDetail(ctx: PageContext, row: BankLoanRow, w: BankWords): Html {
  const l = presentLoan(row);
  const { application, tranche } = supportWords(ctx, row, w);
  const c = l.lprComparison;
  const flag = c.withinBand ? w.withinBand : `${w.flagged} (${c.deviationBp} bp)`;
  const acceptance = l.acceptance ? `${l.acceptance.by}: ${l.acceptance.reason} (${beijingTime(ctx.lang, l.acceptance.at)})` : w.none;
  const items: [string, Html | string][] = [
    [w.loanRef, l.loanRef],
    [w.project, `${l.project.ref} ${l.project.name} (${l.project.subArea})`],
    [w.borrower, l.borrower.name],
    [w.creditCode, l.borrower.creditCode],
    [w.amount, yuanFigure(ctx.lang, l.principal)],
    [w.outstandingAmount, yuanFigure(ctx.lang, l.outstandingPrincipal)],
    [w.rate, formatRate(l.annualRatePercent)],
    [w.rateVsLpr, `LPR ${c.tenor} ${c.month}: ${formatRate(c.lprPercent)} · ${flag}`],
    [w.disbursedOn, l.disbursedOn],
    [w.maturesOn, l.maturesOn],
    [w.reduction, formatTonnes(ctx.lang, l.attributedAnnualReductionTonnes)],
    [w.eligibility, statusWord(ctx.lang, l.eligibility)],
    [w.acceptance, acceptance],
    [w.application, application],
    [w.tranche, tranche],
  ];
  return html`<dl class="detail">${items.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>`;
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
    const paging = pagingOf(req, PAGE_ROWS);
    const rows = await bankLoans(db, {
      institutionId: actor.institutionId,
      on,
      ...f,
      ...(format ? { limit: EXPORT_LIMIT } : { limit: paging.limit, offset: paging.offset }),
    });
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
    const { shown, hasNext } = pageRows(rows, paging);
    const trs = shown.map((row) => loanRow(ctx, row, w));
    const sel = (name: string, value: string | undefined, options: [string, string][]) =>
      html`<select id="f-${name}" name="${name}">${options.map(
        ([v, label]) => html`<option value="${v}"${(value ?? '') === v ? html` selected` : ''}>${label}</option>`,
      )}</select>`;
    const form = html`<form method="get" action="/bank" class="filters">
<label for="f-q">${w.search}</label><input id="f-q" name="q" type="search" value="${f.q ?? ''}" maxlength="200">
<label for="f-eligibility">${w.eligibility}</label>${sel('eligibility', f.eligibility, [
      ['', w.any],
      ['eligible', statusWord(ctx.lang, 'eligible')],
      ['flagged', statusWord(ctx.lang, 'flagged')],
      ['accepted', statusWord(ctx.lang, 'accepted')],
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
<p>${w.shown.replace('{n}', String(shown.length)).replace('{max}', String(PAGE_ROWS))}</p>
${listTable(w.heading, listHead(w), trs, w.noLoans)}
${pager(ctx, paging, shown.length, hasNext)}`;
    sendPage(res, ctx, w.heading, body);
  });

  router.get('/loans/:loanId', async (req, res: Response) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const loanId = z.uuid().safeParse(req.params.loanId);
    const [row] = loanId.success
      ? await bankLoans(db, { institutionId: actor.institutionId, on: shanghaiDate(deps.now()), loanId: loanId.data, limit: 1 })
      : [];
    if (!row) return sendPage(res, ctx, w.loanNotFound, html`<h1>${w.loanNotFound}</h1><p><a href="/bank">${w.backToLoans}</a></p>`, 404);
    const heading = w.loanDetail.replace('{ref}', row.loan.loanRef);
    sendPage(
      res,
      ctx,
      heading,
      html`<h1>${heading}</h1>
${bankNav(ctx, '/bank')}
<p><a href="/bank">${w.backToLoans}</a></p>
<p class="hint">${w.loanDetailIntro}</p>
${loanDetail(ctx, row, w)}`,
    );
  });

  return router;
}
