/** The disclosure index (/disclosures, .csv, .json): filters, a page of disclosures, the next page's cursor. */
import { Router } from 'express';
import { isQuarter } from '../../domain/dates.js';
import { AREA_NAMES, type Area } from '../../domain/policy/index.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { listPublished, publishedFilterOptions } from '../../db/read-models/published.js';
import { sendCsv, sendJsonDownload } from '../../api/downloads.js';
import { html } from './html.js';
import { sendPage } from './layout.js';
import { timelinessMap } from './timeliness.js';
import { shanghaiDate } from '../../domain/dates.js';
import { INDEX_PAGE_SIZE, areaName, instName, figureNotes, downloadLinks, summaryTable, summaryJson, summaryCsv } from './public-shared.js';

export function publicIndexPages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  // ---- disclosure index
  router.get(['/disclosures', '/disclosures.csv', '/disclosures.json'], async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const q = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).trim().slice(0, 100) : '');
    const quarter = isQuarter(q('quarter')) ? q('quarter') : '';
    const institution = /^[A-Z0-9_-]{2,32}$/.test(q('institution')) ? q('institution') : '';
    const area = q('area') in AREA_NAMES ? q('area') : '';
    const search = q('q');
    const cursor = /^(\d{4}Q[1-4])\|([A-Z0-9_-]{2,32})$/.exec(q('after'));
    const format = req.path.endsWith('.csv') ? 'csv' : req.path.endsWith('.json') ? 'json' : 'html';
    const limit = format === 'html' ? INDEX_PAGE_SIZE : 1000;
    const rows = await listPublished(db, {
      quarter: quarter || undefined,
      institution: institution || undefined,
      area: area || undefined,
      search: search || undefined,
      after: cursor ? { quarter: cursor[1], code: cursor[2] } : undefined,
      limit: limit + 1,
    });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = more && last ? `${last.quarter}|${last.institutionCode}` : null;
    if (format === 'json') return sendJsonDownload(res, 'cerf-disclosures.json', { items: page.map(summaryJson), nextCursor });
    if (format === 'csv') return sendCsv(res, 'cerf-disclosures.csv', summaryCsv(page));
    const filterQuery = new URLSearchParams(Object.entries({ quarter, institution, area, q: search }).filter(([, v]) => v)).toString();
    const { quarters, institutions: insts } = await publishedFilterOptions(db);
    const timeliness = await timelinessMap(db, shanghaiDate(deps.now()), { quarters: [...new Set(page.map((r) => r.quarter))] });
    const option = (value: string, label: string, selected: string) =>
      html`<option value="${value}" ${value === selected ? html`selected` : ''}>${label}</option>`;
    // an applied value the options lack (no published disclosure for it) is still shown as applied
    const quarterList = quarter && !quarters.includes(quarter) ? [quarter, ...quarters] : quarters;
    const instList =
      institution && !insts.some((r) => r.institutionCode === institution)
        ? [{ institutionCode: institution, nameZh: institution, nameEn: institution }, ...insts]
        : insts;
    const quarterOptions = [option('', t.all, quarter), ...quarterList.map((v) => option(v, v, quarter))];
    const instOption = (r: (typeof insts)[number]) => option(r.institutionCode, instName(ctx, r), institution);
    const institutionOptions = [option('', t.all, institution), ...instList.map(instOption)];
    const areaOptions = [option('', t.all, area), ...(Object.keys(AREA_NAMES) as Area[]).map((a) => option(a, areaName(ctx, a), area))];
    const after = filterQuery ? `${filterQuery}&` : '';
    const applied = [
      search ? `${t.searchLabel}: “${search}”` : '',
      quarter ? `${t.quarter}: ${quarter}` : '',
      institution
        ? `${t.institution}: ${
            instList.find((r) => r.institutionCode === institution)
              ? instName(
                  ctx,
                  instList.find((r) => r.institutionCode === institution)!,
                )
              : institution
          }`
        : '',
      area ? `${t.area}: ${areaName(ctx, area)}` : '',
    ].filter(Boolean);
    const nextLink = nextCursor ? html`<p><a href="/disclosures?${after}after=${encodeURIComponent(nextCursor)}">→</a></p>` : '';
    const body = html`<h1>${t.disclosuresHeading}</h1>
<form method="get" action="/disclosures" class="filters" role="search">
  <div><label for="f-q">${t.searchLabel}</label><input id="f-q" name="q" type="search" value="${search}" maxlength="100"></div>
  <div><label for="f-quarter">${t.quarter}</label><select id="f-quarter" name="quarter">${quarterOptions}</select></div>
  <div><label for="f-institution">${t.institution}</label><select id="f-institution" name="institution">${institutionOptions}</select></div>
  <div><label for="f-area">${t.area}</label><select id="f-area" name="area">${areaOptions}</select></div>
  <button type="submit">${t.filter}</button>
</form>
${applied.length ? html`<p class="applied" role="status">${t.filtersApplied}: ${applied.join(' · ')}</p>` : ''}
${page.length ? summaryTable(ctx, page, t.disclosuresHeading, { area: area || undefined, totals: true, more, timeliness }) : html`<p>${t.noResults}</p>`}
${figureNotes(ctx, area ? ['reduction', 'rate', 'units'] : ['reduction', 'rate', 'units'])}
${nextLink}
${downloadLinks(ctx, '/disclosures', filterQuery ? `?${filterQuery}` : '')}`;
    sendPage(res, ctx, t.disclosuresHeading, body);
  });

  return router;
}
