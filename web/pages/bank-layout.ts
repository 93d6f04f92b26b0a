/**
 * What every page of the bank's area shares: the section navigation, the list table with its exports,
 * the bank's words and how many rows a list shows.
 */
import { BANK_WORDS, type BankWords } from './bank-words.js';
import type { PageContext } from './context.js';
import { exportHref } from './exports.js';
import { headRow, html, type Html } from './html.js';

/** Rows a list shows on the page (the export has them all, up to EXPORT_LIMIT). */
export const PAGE_ROWS = 200;
export const EXPORT_LIMIT = 100_000;

export const wordsOf = (ctx: PageContext): BankWords => BANK_WORDS[ctx.lang];

/** The bank's section navigation. */
export function bankNav(ctx: PageContext, current: string): Html {
  const w = wordsOf(ctx);
  const links: [string, string][] = [
    ['/bank', w.navLoans],
    ['/bank/uploads', w.navUploads],
    ['/bank/applications', w.navApplications],
    ['/bank/tranches', w.navTranches],
    ['/bank/margin-calls', w.navMarginCalls],
    ['/bank/disclosures', w.navDisclosures],
    ['/bank/evidence', ctx.t.evNav],
  ];
  return html`<nav class="subnav" aria-label="${w.heading}"><ul>${links.map(
    ([href, label]) => html`<li><a href="${href}"${href === current ? html` aria-current="page"` : ''}>${label}</a></li>`,
  )}</ul></nav>`;
}

/** A column heading as the page shows it: amounts carry their own unit (万元/亿元), the export's "(元)" goes. */
export const pageHeading = (heading: string) => heading.replace(/（元）$| \(CNY\)$/, '');

/** A table, or a line saying it is empty. */
export const listTable = (caption: string, head: readonly string[], rows: Html[], empty: string) =>
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<div class="table-wrap" tabindex="0"><table><caption class="visually-hidden">${caption}</caption>${headRow(head.map(pageHeading))}<tbody>${rows}</tbody></table></div>`;

export const exportLinks = (ctx: PageContext) => {
  const w = wordsOf(ctx);
  return html`<p class="exports"><a href="${exportHref(ctx.url, 'csv')}" download>${w.exportCsv}</a> · <a href="${exportHref(ctx.url, 'xlsx')}" download>${w.exportXlsx}</a></p>`;
};
