/** The verifier's queue (/verify): its open assignments, then those it has closed, newest first. */
import { beijingTime } from './figures.js';
import { Router } from 'express';
import { verifierQueue } from '../../db/read-models/verifier-queue.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { headRow, html } from './html.js';
import { sendPage } from './layout.js';
import { actorOfPage, bankName, verdictWord } from './verify-shared.js';

export function verifyQueuePages(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();

  router.get('/', async (_req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const items = await verifierQueue(db, actorOfPage(res).institutionId, null);
    const open = items.filter((i) => !i.assignment.completedAt);
    const done = items
      .filter((i) => i.assignment.completedAt)
      .sort((a, b) => b.assignment.completedAt!.getTime() - a.assignment.completedAt!.getTime());
    const table = (id: string, heading: string, list: typeof items) => html`<section aria-labelledby="${id}">
<h2 id="${id}">${heading}</h2>
${
  list.length
    ? html`<table class="queue">${headRow([t.vfBank, t.quarter, t.vfVersion, t.vfAssignedOn, t.vfSampleSize, t.vfStatus])}
<tbody>${list.map(
        ({ assignment, version, sampleSize }) => html`<tr>
<td><a href="/verify/${assignment.id}">${bankName(ctx, version.content as DisclosureContent)}</a></td>
<td>${version.quarter}</td><td>${version.version}</td><td>${beijingTime(ctx.lang, assignment.assignedAt)}</td><td>${sampleSize}</td>
<td>${verdictWord(t, assignment)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${t.nothingHere}</p>`
}
</section>`;
    const body = html`<h1>${t.verifyHeading}</h1>
${items.length ? html`${table('q-open', t.vfOpenHeading, open)}${table('q-done', t.vfDoneHeading, done)}` : html`<p>${t.verifyEmpty}</p>`}`;
    sendPage(res, ctx, t.verifyHeading, body);
  });

  return router;
}
