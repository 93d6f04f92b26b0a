/**
 * Paging of a list page: `?page=N` (from 1), rows `size` at a time; the list reads one row more than it
 * shows to know whether a next page exists. The links keep the page's other query parameters (filters).
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import { fill } from './i18n.js';

const PageNumber = z.coerce.number().int().min(1).max(1_000_000).catch(1);

export type Paging = { page: number; size: number; offset: number; limit: number };

/** The page asked for (`?page=`, 1 when absent or not a number) and what to read for it. */
export function pagingOf(req: Request, size: number): Paging {
  const page = PageNumber.parse(req.query.page ?? 1);
  return { page, size, offset: (page - 1) * size, limit: size + 1 };
}

/** The rows to show of those read (one more than the page tells that a next page exists). */
export const pageRows = <T>(rows: T[], p: Paging): { shown: T[]; hasNext: boolean } => ({
  shown: rows.slice(0, p.size),
  hasNext: rows.length > p.size,
});

const hrefOf = (ctx: PageContext, page: number) => {
  const url = new URL(ctx.url, 'http://local');
  if (page === 1) url.searchParams.delete('page');
  else url.searchParams.set('page', String(page));
  return url.pathname + url.search;
};

/** "Rows 201–400" and the links to the previous and next pages (nothing when everything fits one page). */
export function pager(ctx: PageContext, p: Paging, shown: number, hasNext: boolean): Html | '' {
  if (p.page === 1 && !hasNext) return '';
  const { t } = ctx;
  const from = shown === 0 ? 0 : p.offset + 1;
  const range = fill(t.pageRange, { from, to: p.offset + shown, page: p.page });
  return html`<nav class="pager" aria-label="${t.pagerLabel}"><span>${range}</span>${
    p.page > 1 ? html` <a href="${hrefOf(ctx, p.page - 1)}" rel="prev">${t.pagePrev}</a>` : ''
  }${hasNext ? html` <a href="${hrefOf(ctx, p.page + 1)}" rel="next">${t.pageNext}</a>` : ''}</nav>`;
}

/**
 * For a list read by a plain limit (no offset): read `readLimit(p)` rows from the start, then show this
 * page's rows of them.
 */
export const readLimit = (p: Paging) => p.offset + p.limit;
export const pageOfRead = <T>(rows: T[], p: Paging) => pageRows(rows.slice(p.offset), p);
