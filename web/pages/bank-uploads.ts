/**
 * The bank's uploads (/bank/uploads): the form (kind, file, "write the good rows"), the recent uploads,
 * and one upload's job: a progress bar while it runs (bank.js polls status.json and reloads when it is
 * done), then its counts and its error report (row, column, rule), downloadable as CSV. The form goes
 * through the same receiver and use cases as POST /api/v1/uploads.
 */
import { beijingTime } from './figures.js';
import { Router } from 'express';
import { toCsv } from '../../platform/csv.js';
import { Refused } from '../../app/refusals.js';
import { findUpload, listUploads, uploadErrors, type UploadSummary } from '../../db/repositories/uploads.js';
import { isUuid } from '../../schemas/common.js';
import { UPLOAD_COLUMNS, UPLOAD_KINDS, type UploadRowErrorValue } from '../../schemas/uploads.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { presentUpload } from '../../api/presenters/uploads.js';
import { CSRF_FIELD } from '../session/csrf.js';
import { uploadRequestOf } from '../../api/multipart.js';
import { receiveUpload } from '../../app/uploads/receive-upload.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, wordsOf } from './bank-layout.js';
import type { BankWords } from './bank-words.js';
import { pageOf, type PageContext } from './context.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { exportFormatOf, sendTable } from './exports.js';
import { cells, html, numCells } from './html.js';
import { sendPage } from './layout.js';
import { ruleWords } from './rule-words.js';
import { assetHref } from '../static-assets.js';

/** Uploads a page lists; an export lists up to EXPORT_LIMIT. */
const UPLOADS_PAGE = 50;

const statusWord = (w: BankWords, status: string) =>
  ({
    queued: w.statusQueued,
    receiving: w.statusQueued,
    running: w.statusRunning,
    completed: w.statusCompleted,
    refused: w.statusRefused,
    failed: w.statusFailed,
  })[status] ?? status;

/** An upload's kind of file in the page's language. */
const kindWord = (w: BankWords, kind: string) =>
  ({ loans: w.kindLoans, repayments: w.kindRepayments, amendments: w.kindAmendments })[kind] ?? kind;

function uploadForm(ctx: PageContext, error: string | null) {
  const w = wordsOf(ctx);
  const kinds: [string, string][] = [
    ['loans', w.kindLoans],
    ['repayments', w.kindRepayments],
    ['amendments', w.kindAmendments],
  ];
  const templateWord =
    ctx.lang === 'en' ? 'Templates (an example row; the XLSX lists the rules of each column)' : '模板（含示例行；XLSX 另附各列规则）';
  const templates = kinds.map(
    ([v, label]) =>
      html`<li>${label}: <a href="/api/v1/uploads/templates/${v}.xlsx" download>XLSX</a> · <a href="/api/v1/uploads/templates/${v}.csv" download>CSV</a></li>`,
  );
  return html`<section aria-labelledby="h-upload"><h2 id="h-upload">${w.uploadHeading}</h2>
<p class="hint">${w.uploadHint}</p>
<p id="upload-templates">${templateWord}</p><ul aria-labelledby="upload-templates">${templates}</ul>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/bank/uploads?${CSRF_FIELD}=${encodeURIComponent(ctx.csrfToken)}" enctype="multipart/form-data" class="upload">
<label for="u-kind">${w.kind}</label><select id="u-kind" name="kind">${kinds.map(([v, label]) => html`<option value="${v}">${label}</option>`)}</select>
<label for="u-file">${w.file}</label><input id="u-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>
<label class="check"><input id="u-good" name="writeGoodRows" type="checkbox" value="true"> ${w.writeGoodRows}</label>
<button type="submit">${w.upload}</button>
</form>
<details><summary>${w.columns}</summary>${UPLOAD_KINDS.map((k) => html`<p><strong>${k}</strong>: <code>${UPLOAD_COLUMNS[k].join(', ')}</code></p>`)}</details>
</section>`;
}

export function bankUploadPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  const renderList = async (res: Parameters<Parameters<Router['get']>[1]>[1], error: string | null, status = 200) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const format = exportFormatOf(res.req.query.export);
    const paging = pagingOf(res.req, UPLOADS_PAGE);
    // an upload still being received is not listed yet
    const read = (await listUploads(db, actor.institutionId, format ? EXPORT_LIMIT : readLimit(paging))).filter(
      (u) => u.status !== 'receiving',
    );
    const { shown: rows, hasNext } = format ? { shown: read, hasNext: false } : pageOfRead(read, paging);
    const head = [w.fileName, w.kind, w.status, w.counts, w.uploadedAt];
    const trs = rows.map((u) => {
      const c = presentUpload(u, []).counts;
      return html`<tr><th scope="row"><a href="/bank/uploads/${u.id}">${u.fileName}</a></th>${cells([kindWord(w, u.kind ?? ''), statusWord(w, u.status)])}${numCells(
        [`${c.created} / ${c.unchanged} / ${c.error}`],
      )}${cells([beijingTime(ctx.lang, u.createdAt)])}</tr>`;
    });
    const body = html`<h1>${w.navUploads}</h1>${bankNav(ctx, '/bank/uploads')}
${uploadForm(ctx, error)}
<section aria-labelledby="h-recent"><h2 id="h-recent">${w.recentUploads}</h2>${exportLinks(ctx)}${listTable(w.recentUploads, head, trs, w.noneYet)}${pager(ctx, paging, rows.length, hasNext)}</section>`;
    if (format) {
      return sendTable(
        res,
        format,
        'uploads',
        head,
        rows.map((u) => {
          const c = presentUpload(u, []).counts;
          return [
            u.fileName,
            kindWord(w, u.kind ?? ''),
            statusWord(w, u.status),
            `${c.created} / ${c.unchanged} / ${c.error}`,
            beijingTime(ctx.lang, u.createdAt),
          ];
        }),
      );
    }
    sendPage(res, ctx, w.navUploads, body, status);
  };

  router.get('/', (_req, res) => renderList(res, null));

  router.post('/', async (req, res) => {
    const ctx = pageOf(res);
    const actor = pageActorOf(res)!;
    try {
      const id = await receiveUpload(db, { now: deps.now(), actor }, uploadRequestOf(req));
      res.redirect(303, `/bank/uploads/${id}`);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      const r = err.refusal;
      const colon = ctx.lang === 'zh' ? '：' : ': ';
      const detail = r.errors?.length
        ? `${colon}${r.errors.map((e) => `${e.path} ${ruleWords(ctx.lang, e.code, e.message)} (${e.code})`).join(ctx.lang === 'zh' ? '；' : '; ')}`
        : '';
      await renderList(res, `${pageRefusal(r.status, ctx.lang) ?? r.message}${detail}`, 422);
    }
  });

  const mine = async (res: Parameters<Parameters<Router['get']>[1]>[1], id: string): Promise<UploadSummary | null> => {
    if (!isUuid(id)) return null;
    const row = await findUpload(db, id, { institutionId: pageActorOf(res)!.institutionId });
    return row && row.status !== 'receiving' ? row : null;
  };

  router.get('/:id/status.json', async (req, res) => {
    const row = await mine(res, req.params.id);
    if (!row) return void res.status(404).json({ status: 'not_found' });
    const view = presentUpload(row, []);
    res
      .set('Cache-Control', 'no-store')
      .json({ status: view.status, interrupted: view.interrupted, progressPercent: view.progressPercent, rowsRead: view.rowsRead });
  });

  // the error report as the page shows it: headings and each rule's words in the page's language
  router.get('/:id/errors.csv', async (req, res, next) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const row = await mine(res, req.params.id);
    if (!row) return next();
    const errors = (await uploadErrors(db, row.id)) as UploadRowErrorValue[];
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="upload-${row.id}-errors.csv"`)
      .send(
        toCsv({
          columns: [w.row, w.column, w.rule, w.message],
          rows: errors.map((e) => [String(e.row), e.column, e.rule, ruleWords(ctx.lang, e.rule, e.message)]),
        }),
      );
  });

  router.get('/:id', async (req, res, next) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const row = await mine(res, req.params.id);
    if (!row) return next();
    const errors = row.errorCount ? ((await uploadErrors(db, row.id)) as UploadRowErrorValue[]) : [];
    const view = presentUpload(row, errors);
    const running = view.status === 'queued' || view.status === 'running';
    const c = view.counts;
    const note = running
      ? html`<p class="notice" role="status" data-poll="/bank/uploads/${row.id}/status.json" data-interrupted="${String(view.interrupted)}">${view.interrupted ? w.uploadResumingNote : w.uploadWaitNote} <a href="/bank/uploads/${row.id}">${w.refresh}</a></p>`
      : view.status === 'refused'
        ? html`<p class="error" role="alert">${w.uploadRefusedNote.replace('{n}', String(view.errorCount))}</p>`
        : view.status === 'completed'
          ? html`<p class="notice" role="status">${w.uploadDoneNote.replace('{created}', String(c.created)).replace('{unchanged}', String(c.unchanged)).replace('{error}', String(c.error))}</p>`
          : html`<p class="error" role="alert">${w.statusFailed}: ${view.failure ?? ''}</p>`;
    const errorRows = view.errors.map(
      (e) => html`<tr><th scope="row">${e.row}</th>${cells([e.column, e.rule, ruleWords(ctx.lang, e.rule, e.message)])}</tr>`,
    );
    const body = html`<h1>${w.navUploads}${ctx.lang === 'zh' ? '：' : ': '}${row.fileName}</h1>${bankNav(ctx, '/bank/uploads')}
<dl class="facts"><dt>${w.kind}</dt><dd>${kindWord(w, view.kind ?? '')} (${view.format})</dd><dt>${w.status}</dt><dd id="upload-status">${view.interrupted ? w.statusResuming : statusWord(w, view.status)}</dd>
<dt>${w.counts}</dt><dd>${c.created} / ${c.unchanged} / ${c.error}</dd></dl>
<label for="upload-progress">${w.progress}</label> <progress id="upload-progress" max="100" value="${view.progressPercent}">${view.progressPercent} %</progress> <span>${view.progressPercent} %</span>
${note}
${
  view.errorCount
    ? html`<section aria-labelledby="h-errors"><h2 id="h-errors">${w.errorReport}</h2>
<p><a href="/bank/uploads/${row.id}/errors.csv" download>${w.downloadErrors}</a></p>
${listTable(w.errorReport, [w.row, w.column, w.rule, w.message], errorRows, w.noneYet)}</section>`
    : ''
}
<p><a href="/bank/uploads">${w.uploadHeading}</a></p>
<script src="${assetHref('bank.js')}" defer></script>`;
    sendPage(res, ctx, w.navUploads, body);
  });

  return router;
}
