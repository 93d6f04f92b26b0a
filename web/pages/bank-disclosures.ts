/**
 * The bank's disclosure drafts (/bank/disclosures): every version of its quarters, newest first, with
 * the statement to review, the submit button on a compiled draft (the same use case as
 * POST /disclosures/:code/:quarter/submit) and, once a verifier has worked, its verdict and findings.
 */
import { Router } from 'express';
import { perform, settled } from '../../app/perform.js';
import { submitDisclosure } from '../../app/disclosures/workflow.js';
import { answerQuery } from '../../app/disclosures/answer-query.js';
import { listVersionViews } from '../../db/read-models/disclosure-versions.js';
import { findAssignmentForVersion, findingsOf } from '../../db/repositories/verification.js';
import { queryThreadsOf } from '../../db/repositories/verification-queries.js';
import { isUuid } from '../../schemas/common.js';
import { AnswerQueryBody } from '../../schemas/evidence.js';
import { QuarterString } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { pageActorOf } from '../session/sessions.js';
import { bankNav, EXPORT_LIMIT, exportLinks, listTable, wordsOf } from './bank-layout.js';
import { statusWord } from './i18n.js';
import { pageOfRead, pager, pagingOf, readLimit } from './paging.js';
import { pageOf } from './context.js';
import { exportFormatOf, sendTable } from './exports.js';
import { approvalSubjects } from '../../db/read-models/approval-subjects.js';
import { CHECK_WORD, statusWord as vStatusWord, type Check } from './verify-shared.js';
import { cells, html } from './html.js';
import { sendPage } from './layout.js';
import { queryThreadsSection } from './query-threads.js';
import { blocking, findingsOf as checkFindingsOf } from '../../app/disclosures/check-findings.js';
import { confirmFinding } from '../../app/disclosures/checks.js';
import { ConfirmFindingBody } from '../../schemas/statistics.js';
import { checkFindingsSection } from './check-findings.js';

const CODE = /^[a-z_]{1,64}$/;

/** Versions a page shows (each a section with its findings and queries). */
const VERSIONS_PAGE = 20;

export function bankDisclosurePages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;

  router.get('/', async (req, res) => {
    const ctx = pageOf(res);
    const w = wordsOf(ctx);
    const actor = pageActorOf(res)!;
    const format = exportFormatOf(req.query.export);
    const paging = pagingOf(req, VERSIONS_PAGE);
    const read = (
      await listVersionViews(
        db,
        { institutionCode: actor.institutionCode, visibility: { kind: 'bank', institutionId: actor.institutionId } },
        { limit: format ? EXPORT_LIMIT : readLimit(paging), after: null },
      )
    )
      .filter((v) => v.institution.code === actor.institutionCode)
      .sort((a, b) =>
        a.version.quarter === b.version.quarter ? b.version.version - a.version.version : a.version.quarter < b.version.quarter ? 1 : -1,
      );
    const { shown: views, hasNext } = format ? { shown: read, hasNext: false } : pageOfRead(read, paging);
    const head = [w.quarter, w.version, w.status, w.compiledAt, w.verifier, w.verdict];
    // the export in the page's language (statuses and verdicts in words)
    const data = views.map((v) => [
      v.version.quarter,
      v.version.version,
      statusWord(ctx.lang, v.version.status),
      v.version.compiledAt.toISOString().slice(0, 10),
      v.verification?.verifier ?? '',
      v.verification?.verdict ? statusWord(ctx.lang, v.verification.verdict) : '',
    ]);
    if (format) return sendTable(res, format, 'disclosures', head, data);

    const error = typeof req.query.error === 'string' && CODE.test(req.query.error) ? pageRefusal(req.query.error, ctx.lang) : null;
    const sections = [];
    const seenQuarters = new Set<string>();
    for (const v of views) {
      const row = v.version;
      const content = row.content as { statement?: { zh: string; en: string } };
      const assignment = v.verification ? await findAssignmentForVersion(db, row.id) : null;
      const findings = assignment ? await findingsOf(db, assignment.id) : [];
      const threads = assignment ? await queryThreadsOf(db, row.id) : [];
      const answering = assignment && !assignment.completedAt && row.status === 'under_verification';
      const id = `d-${row.quarter}-v${row.version}`;
      // the checks before signing of each quarter's latest version: on a compiled draft, a form per finding
      const latestOfQuarter = !seenQuarters.has(row.quarter);
      seenQuarters.add(row.quarter);
      const checks = latestOfQuarter ? await checkFindingsOf(db, row) : null;
      const refs = (await approvalSubjects(db, { loanIds: findings.map((f) => f.loanId), projectIds: [], institutionCodes: [] })).loans;
      const findingRows = findings.map(
        (f) =>
          html`<tr><th scope="row">${refs.get(f.loanId)?.loanRef ?? f.loanId}</th>${cells([
            ctx.t[CHECK_WORD[f.check as Check]] ?? f.check,
            f.outcome === 'pass' ? ctx.t.vfPass : f.outcome === 'fail' ? ctx.t.vfFail : f.outcome,
            f.note ?? '',
          ])}</tr>`,
      );
      sections.push(html`<section aria-labelledby="${id}" class="draft"><h2 id="${id}">${row.quarter} · ${w.version} ${row.version} · ${vStatusWord(ctx.t, row.status)}</h2>
${content.statement ? html`<p class="statement">${ctx.lang === 'zh' ? content.statement.zh : content.statement.en}</p>` : ''}
<p><a href="/api/v1/disclosures/${actor.institutionCode}/${row.quarter}?version=${row.version}">${w.review} (JSON)</a></p>
${
  checks
    ? checkFindingsSection(ctx, `${id}-checks`, checks, {
        level: 3,
        ...(row.status === 'compiled'
          ? { confirmAction: `/bank/disclosures/${row.quarter}/checks/confirm`, submittable: blocking(checks).length === 0 }
          : {}),
      })
    : ''
}
${
  row.status === 'compiled'
    ? html`<form method="post" action="/bank/disclosures/${row.quarter}/submit">${ctx.csrfField()}<button type="submit">${w.submitDraft}</button></form>`
    : ''
}
${
  v.verification
    ? html`<h3>${w.findings}: ${v.verification.verifier}${v.verification.verdict ? html` · ${w.verdict}: ${v.verification.verdict}` : ''}</h3>
${listTable(w.findings, [w.loan, w.check, w.result, w.note], findingRows, w.noneYet)}
${queryThreadsSection(ctx, `${id}-queries`, threads, {
  answerAction: answering ? (queryId) => `/bank/disclosures/${row.quarter}/queries/${queryId}/answers` : undefined,
})}`
    : ''
}</section>`);
    }
    const body = html`<h1>${w.disclosures}</h1>${bankNav(ctx, '/bank/disclosures')}
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${req.query.done ? html`<p class="notice" role="status">${w.done}</p>` : ''}
${exportLinks(ctx)}
${listTable(
  w.disclosures,
  head,
  data.map((d) => html`<tr><th scope="row">${d[0]}</th>${cells([d[1], vStatusWord(ctx.t, String(d[2])), ...d.slice(3)])}</tr>`),
  w.noneYet,
)}
${sections}${pager(ctx, paging, views.length, hasNext)}`;
    sendPage(res, ctx, w.disclosures, body);
  });

  router.post('/:quarter/submit', async (req, res) => {
    const actor = pageActorOf(res)!;
    const quarter = QuarterString.safeParse(req.params.quarter);
    if (!quarter.success) return res.redirect(303, '/bank/disclosures?error=invalid_input');
    const result = await settled(
      perform(db, { now: deps.now(), actor }, (uc) =>
        submitDisclosure(uc, { institutionCode: actor.institutionCode, quarter: quarter.data }),
      ),
    );
    res.redirect(303, result.ok ? '/bank/disclosures?done=1' : `/bank/disclosures?error=${encodeURIComponent(result.status)}`);
  });

  /** The bank confirms a quality or macro finding with a reason (the same use case as POST …/checks/confirm). */
  router.post('/:quarter/checks/confirm', async (req, res) => {
    const actor = pageActorOf(res)!;
    const quarter = QuarterString.safeParse(req.params.quarter);
    const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const body = ConfirmFindingBody.safeParse({
      check: str(req.body?.check),
      subject: str(req.body?.subject),
      reason: str(req.body?.reason),
    });
    if (!quarter.success || !body.success) return res.redirect(303, '/bank/disclosures?error=invalid_input');
    const result = await settled(
      perform(db, { now: deps.now(), actor }, (uc) =>
        confirmFinding(uc, { institutionCode: actor.institutionCode, quarter: quarter.data, ...body.data }),
      ),
    );
    res.redirect(303, result.ok ? '/bank/disclosures?done=1' : `/bank/disclosures?error=${encodeURIComponent(result.status)}`);
  });

  /** The bank answers a verifier's query (the same use case as POST …/queries/:queryId/answers). */
  router.post('/:quarter/queries/:queryId/answers', async (req, res) => {
    const actor = pageActorOf(res)!;
    const quarter = QuarterString.safeParse(req.params.quarter);
    const queryId = String(req.params.queryId);
    const body = AnswerQueryBody.safeParse({ text: typeof req.body?.text === 'string' ? req.body.text : '' });
    if (!quarter.success || !isUuid(queryId) || !body.success) return res.redirect(303, '/bank/disclosures?error=invalid_input');
    const result = await settled(
      perform(db, { now: deps.now(), actor }, (uc) =>
        answerQuery(uc, { institutionCode: actor.institutionCode, quarter: quarter.data, queryId, text: body.data.text }),
      ),
    );
    res.redirect(
      303,
      result.ok ? `/bank/disclosures?done=1#query-${queryId}` : `/bank/disclosures?error=${encodeURIComponent(result.status)}`,
    );
  });

  return router;
}
