/** The operator's workflow pages: disclosures: compile a quarter, assign a verifier, publish. */
import { statusWord } from './i18n.js';
import { Router, type Request } from 'express';
import { requestQuarterCompile } from '../../app/disclosures/compile-quarter.js';
import { assignDisclosure } from '../../app/disclosures/verification.js';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { listVersionViews, quartersWithVersions } from '../../db/read-models/disclosure-versions.js';
import { listInstitutions } from '../../db/repositories/institutions.js';
import { QuarterString } from '../../schemas/common.js';
import type { AppDeps } from '../../process/context.js';
import { pageOf } from './context.js';
import { cells, html } from './html.js';
import { sendPage } from './layout.js';
import { perform } from '../../app/perform.js';
import { checksOfQuarter } from '../../app/disclosures/checks.js';
import { pageActorOf } from '../session/sessions.js';
import { checkFindingsSection, checkWordsOf } from './check-findings.js';

import { type Form, LIST_LIMIT, commandOf, outcome, pending, quarterOf, section, subnav, table, text } from './operator-work.js';

/** After a command, the disclosures page of the quarter acted on (the form's or the address's quarter). */
const backToQuarter = (req: Request) => {
  const quarter = QuarterString.safeParse(req.params.quarter ?? (req.body as Form | undefined)?.quarter);
  return quarter.success ? `/operator/disclosures?quarter=${quarter.data}` : '/operator/disclosures';
};

/** The versions of one quarter a page lists at most (every bank's versions of that quarter). */
const QUARTER_ROWS = 1000;

export function disclosureWorkPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- disclosures: compile a quarter, assign a verifier, publish
  router.get('/disclosures', async (req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    // one quarter at a time (?quarter=, the latest quarter with versions by default), links to the others
    const quarters = await quartersWithVersions(db);
    const asked = QuarterString.safeParse(req.query.quarter);
    const quarter = asked.success ? asked.data : (quarters[0]?.quarter ?? null);
    const views = quarter
      ? await listVersionViews(db, { quarter, visibility: { kind: 'operator' } }, { limit: QUARTER_ROWS, after: null })
      : [];
    const quarterNav = quarters.length
      ? html`<nav class="pager quarters" aria-label="${t.quarter}"><ul>${quarters.map(
          (q) =>
            html`<li><a href="/operator/disclosures?quarter=${q.quarter}"${q.quarter === quarter ? html` aria-current="page"` : ''}>${q.quarter}</a> <small>(${q.versions})</small></li>`,
        )}</ul></nav>`
      : '';
    const verifiers = (await listInstitutions(db, { kind: 'verifier', limit: LIST_LIMIT })).slice(0, LIST_LIMIT);
    // the latest version of each bank's quarter is the one the verbs act on
    const seen = new Set<string>();
    const latest = views.filter((v) => {
      const key = `${v.institution.code}/${v.version.quarter}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const rows = latest.map((v) => {
      const { code } = v.institution;
      const q = v.version.quarter;
      const p = `d-${code}-${q}`;
      const base = `/operator/disclosures/${code}/${q}`;
      const verifierOptions = verifiers.map(
        (i) => html`<option value="${i.code}">${i.code} · ${ctx.lang === 'zh' ? i.nameZh : i.nameEn}</option>`,
      );
      const action =
        v.version.status === 'submitted'
          ? html`<form method="post" action="${base}/assign" class="decision">${ctx.csrfField()}
<label for="${p}-verifier">${t.verifier}</label><select id="${p}-verifier" name="verifier" required><option value="">${t.vfChoose}</option><option value="least_loaded">${t.owByRule}</option>${verifierOptions}</select>
<button type="submit">${t.owAssign}</button></form>`
          : v.version.status === 'verified'
            ? html`<form method="post" action="${base}/publish" class="decision">${ctx.csrfField()}<button type="submit">${t.owPublish}</button></form>`
            : '';
      return html`<tr id="${p}"><th scope="row">${ctx.lang === 'zh' ? v.institution.nameZh : v.institution.nameEn} (${code})</th>${cells([
        q,
        v.version.version,
        statusWord(ctx.lang, v.version.status),
        v.verification
          ? `${v.verification.verifier}${v.verification.verdict ? ` · ${statusWord(ctx.lang, v.verification.verdict)}` : ''}`
          : '—',
      ])}<td>${action}</td></tr>`;
    });
    const head = [t.institution, t.quarter, t.version, t.opStatus, t.verifier, t.opAction];
    // ?checks=QUARTER: every bank's findings of the checks before signing of that quarter (&open=1: those not settled)
    const cw = checkWordsOf(ctx);
    const checksQuarter = QuarterString.safeParse(req.query.checks);
    const onlyOpen = req.query.open === '1' || req.query.open === 'true';
    const checks = checksQuarter.success
      ? await perform(db, { now: deps.now(), actor: pageActorOf(res)! }, (uc) =>
          checksOfQuarter(uc, { quarter: checksQuarter.data, open: onlyOpen }),
        )
      : null;
    const checksBody = html`<form method="get" action="/operator/disclosures" class="stack narrow">
<label for="checks-quarter">${cw.quarter}</label><input id="checks-quarter" name="checks" required pattern="\\d{4}Q[1-4]" placeholder="2022Q3" value="${checksQuarter.success ? checksQuarter.data : ''}">
<label><input type="checkbox" name="open" value="1"${onlyOpen ? html` checked` : ''}> ${cw.onlyOpen}</label>
<button type="submit">${cw.show}</button></form>
${
  checks
    ? checks.disclosures.length
      ? checks.disclosures.map(
          (d) =>
            html`<h3>${ctx.lang === 'zh' ? d.institution.nameZh : d.institution.nameEn} (${d.institution.code}) · ${checks.quarter} · ${t.version} ${d.version} · ${statusWord(ctx.lang, d.status)}</h3>
${checkFindingsSection(ctx, `checks-${d.institution.code}`, d.findings, { level: 3, submittable: d.submittable })}`,
        )
      : html`<p class="empty">${cw.noDisclosures}</p>`
    : ''
}`;
    const body = html`<h1>${t.owDisclosuresHeading}</h1>${subnav(ctx, '/operator/disclosures')}${outcome(ctx, req)}
${section(
  'h-compile',
  t.owCompileHeading,
  html`<form method="post" action="/operator/disclosures/compile" class="stack narrow">${ctx.csrfField()}
<label for="compile-quarter">${t.quarter}</label><input id="compile-quarter" name="quarter" required pattern="\\d{4}Q[1-4]" placeholder="2022Q3">
<button type="submit">${t.owCompile}</button></form><p class="hint">${t.owCompileHint}</p>`,
)}
${section('h-versions', quarter ? `${t.owDisclosuresHeading} · ${quarter}` : t.owDisclosuresHeading, html`${quarterNav}${table(quarter ? `${t.owDisclosuresHeading} · ${quarter}` : t.owDisclosuresHeading, head, rows, t.opNone)}`)}
${section('h-checks', cw.heading, checksBody)}`;
    sendPage(res, ctx, t.owDisclosuresHeading, body);
  });
  router.post(
    '/disclosures/compile',
    command(
      backToQuarter,
      (form) => (quarterOf(form) ? { quarter: quarterOf(form)! } : null),
      async (ctx, input) => {
        const r = await requestQuarterCompile(ctx, input);
        return `${input.quarter}: ${r.jobId}${r.new ? '' : ' (running)'} · ${r.banks.join(', ') || '—'}`;
      },
    ),
  );
  const disclosureRef = (form: Form) =>
    /^[A-Z0-9_-]{2,32}$/.test(text(form.institutionCode)) && quarterOf(form)
      ? { institutionCode: text(form.institutionCode), quarter: quarterOf(form)! }
      : null;
  router.post(
    '/disclosures/:institutionCode/:quarter/assign',
    command(
      backToQuarter,
      (form) => {
        const ref = disclosureRef(form);
        const verifier = text(form.verifier);
        if (!ref || !verifier || verifier.length > 50) return null;
        return { ...ref, choice: verifier === 'least_loaded' ? { rule: 'least_loaded' as const } : { verifier }, sampling: {} };
      },
      async (ctx, input) => {
        const r = await assignDisclosure(ctx, input);
        return r.kind === 'job'
          ? `${input.institutionCode} ${input.quarter}: ${r.jobId}`
          : `${input.institutionCode} ${input.quarter} assigned`;
      },
    ),
  );
  router.post(
    '/disclosures/:institutionCode/:quarter/publish',
    command(
      backToQuarter,
      (form) => disclosureRef(form),
      // four eyes, as POST /api/v1/disclosures/:code/:quarter/publish
      async (ctx, ref) => pending(await proposeAct(ctx, 'publish_disclosure', ref), 'publishing by hand'),
    ),
  );

  return router;
}
