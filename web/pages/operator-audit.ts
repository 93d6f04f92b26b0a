/**
 * The operator's audit page (/operator/audit): the latest audit records, filtered by table, row id,
 * acting user and institution, with the same filter as a CSV download (/operator/audit/export.csv). Reads the
 * same repository as GET /api/v1/audit.
 */
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { beijingTime } from './figures.js';
import { Router, type Request } from 'express';
import { auditRecordPages, listAuditRecords } from '../../db/repositories/audit.js';
import { findInstitutionByCode } from '../../db/repositories/institutions.js';
import type { AppDeps } from '../../process/context.js';
import { AUDIT_CSV_COLUMNS, auditCsvRow, presentAuditRecord } from '../../api/presenters/audit.js';
import { pageOf } from './context.js';
import { streamCsv } from '../../api/downloads.js';
import { cells, headRow, html } from './html.js';
import { sendPage } from './layout.js';

const SHOWN = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  const filterOf = async (req: Request) => {
    const q = (name: string, re: RegExp) =>
      typeof req.query[name] === 'string' && re.test(req.query[name] as string) ? (req.query[name] as string) : undefined;
    const shown = {
      resource: q('resource', /^[a-z_]{1,64}$/),
      id: q('id', /^[\w-]{1,100}$/),
      actor: q('actor', UUID),
      institution: q('institution', /^[\w-]{1,50}$/),
    };
    const institution = shown.institution ? await findInstitutionByCode(db, shown.institution) : null;
    return { shown, filter: { resource: shown.resource, id: shown.id, actor: shown.actor, institutionId: institution?.id } };
  };

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const { shown, filter } = await filterOf(req);
    const paging = pagingOf(req, SHOWN);
    const page = pageOfRead(await listAuditRecords(db, { ...filter, limit: readLimit(paging) }), paging);
    const rows = page.shown.map(presentAuditRecord);
    const en = ctx.lang === 'en';
    const field = (name: keyof typeof shown, label: string) =>
      html`<div><label for="a-${name}">${label}</label><input id="a-${name}" name="${name}" value="${shown[name] ?? ''}"></div>`;
    const query = new URLSearchParams(Object.entries(shown).filter(([, v]) => v) as [string, string][]).toString();
    const body = html`<h1>${en ? 'Audit trail' : '审计记录'}</h1>
<p><a href="/operator">${t.operatorHeading}</a> · <a href="/operator/audit/export.csv${query ? `?${query}` : ''}">CSV</a></p>
<form method="get" action="/operator/audit" class="filters">${field('resource', en ? 'Table' : '数据表')}${field('id', en ? 'Row id' : '记录编号')}${field('actor', en ? 'User id' : '用户编号')}${field('institution', t.institution)}
<button type="submit">${t.recShow}</button></form>
${
  rows.length
    ? html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${en ? 'Audit trail' : '审计记录'}</caption>${headRow(['#', en ? 'At' : '时间', en ? 'User' : '用户', en ? 'Via' : '方式', en ? 'Table' : '数据表', en ? 'Action' : '操作', en ? 'Rows' : '行数', t.apReason, en ? 'Request' : '请求'])}<tbody>${rows.map(
        (r) =>
          html`<tr><th scope="row">${r.seq}</th>${cells([beijingTime(ctx.lang, r.at), r.actor.userId ?? '—', r.actor.via ?? '—', r.resource, r.action, String(r.rowCount), r.reason ?? '—', r.requestId ?? '—'])}</tr>`,
      )}</tbody></table></div>`
    : html`<p class="empty">${t.opNone}</p>`
}
${pager(ctx, paging, rows.length, page.hasNext)}`;
    sendPage(res, ctx, en ? 'Audit trail' : '审计记录', body);
  });

  router.get('/export.csv', async (req, res) => {
    const { filter } = await filterOf(req);
    await streamCsv(res, 'audit.csv', AUDIT_CSV_COLUMNS, auditRecordPages(db, filter, 200), auditCsvRow);
  });

  return router;
}
