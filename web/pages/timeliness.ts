/** Timeliness on the public pages: each bank's record per quarter (on time, days late, not yet published). */
import type { Db } from '../../db/client.js';
import { firstPublications } from '../../db/read-models/timeliness.js';
import { quarterBounds, type IsoDate } from '../../domain/dates.js';
import { timelinessOf, timelinessRecord, type Timeliness } from '../../domain/disclosures/timeliness.js';
import { policyOn } from '../../domain/policy/index.js';
import type { PageContext } from './context.js';
import { cells, headRow, html, type Html } from './html.js';
import { fill } from './i18n.js';

/** `CODE/QUARTER` → the quarter's timeliness, for the banks and quarters asked (one query). */
export async function timelinessMap(db: Db, today: IsoDate, filter: { institutionCode?: string; quarters?: string[] }) {
  const map = new Map<string, Timeliness>();
  for (const r of await firstPublications(db, filter)) {
    const t = timelinessOf(r.quarter, r.firstPublishedOn, today);
    if (t) map.set(`${r.institutionCode}/${r.quarter}`, t);
  }
  return map;
}

export function timelinessWords({ t }: PageContext, x: Timeliness | undefined): string {
  if (!x) return '—';
  if (x.status === 'on_time') return t.timelinessOnTime;
  if (x.status === 'late') return fill(t.timelinessLate, { n: x.daysLate });
  return x.daysLate > 0 ? fill(t.timelinessOverdue, { n: x.daysLate }) : t.timelinessNotYet;
}

export const timelinessCell = (ctx: PageContext, x: Timeliness | undefined): Html =>
  html`<td class="timeliness ${x?.status ?? ''}" data-label="${ctx.t.timeliness}">${timelinessWords(ctx, x)}</td>`;

/** A bank's record: the summary and one row per quarter, newest first. */
export function timelinessSection(ctx: PageContext, rows: Timeliness[]): Html {
  const { t } = ctx;
  if (!rows.length) return html``;
  const record = timelinessRecord(rows);
  const latest = rows.at(-1)!;
  const days = policyOn(quarterBounds(latest.quarter).end)?.disclosureDeadlineDays ?? '—';
  const body = [...rows]
    .reverse()
    .map((r) => html`<tr><th scope="row">${r.quarter}</th>${cells([r.dueOn, r.publishedOn ?? '—'])}${timelinessCell(ctx, r)}</tr>`);
  return html`<section aria-labelledby="h-timeliness"><h2 id="h-timeliness">${t.timelinessHeading}</h2>
<p class="timeliness-summary">${fill(t.timelinessSummary, { onTime: record.onTime, late: record.late, open: record.notYetPublished })}</p>
<p class="note">${fill(t.timelinessRule, { days })}</p>
<div class="table-wrap" tabindex="0"><table><caption>${t.timelinessHeading}</caption>${headRow([t.quarter, t.dueOn, t.publishedOn, t.timeliness])}
<tbody>${body}</tbody></table></div></section>`;
}
