/**
 * Verifier pages (/verify/*): the queue of the verifier's own assignments, one disclosure's figures and
 * frozen sample, a form per sampled loan to record the five checks, and the verdict. Commands call the
 * same repository functions as the API (server/routes/verification.ts), one transaction each; a broken
 * rule comes back to the page as a message (role="alert"), never a 500.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findLatestVersion, findVersionById, type DisclosureVersionRow } from '../../db/repositories/disclosures.js';
import { addFindings, assignmentsOfVerifier, findAssignment, findingsOf, giveVerdict, sampleOf, type AssignmentRow } from '../../db/repositories/verification.js';
import type { Tx } from '../../db/client.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { FindingsBody, VerdictBody } from '../../schemas/verification.js';
import type { Actor, AppDeps } from '../context.js';
import { pageOf, type PageContext } from './context.js';
import { html, type Html } from './html.js';
import { fill, type Dict } from './i18n.js';
import { sendMessagePage, sendPage } from './layout.js';

const CHECKS = ['area', 'amount', 'rate', 'reduction', 'evidence'] as const;
type Check = (typeof CHECKS)[number];
const CHECK_WORD: Record<Check, keyof Dict> = { area: 'vfCheckArea', amount: 'vfCheckAmount', rate: 'vfCheckRate', reduction: 'vfCheckReduction', evidence: 'vfCheckEvidence' };
const KNOWN_ERRORS = ['sample_not_checked', 'verified_with_failed_findings', 'rejection_without_findings', 'illegal_transition', 'loan_not_in_sample', 'invalid_input'] as const;
type ErrorCode = (typeof KNOWN_ERRORS)[number];

type Snapshot = {
  loanRef: string;
  borrowerName: string;
  principal: string;
  annualRatePercent: string;
  disbursedOn: string;
  project: { ref: string; name: string; subArea: string; area: string | null; totalInvestment: string; annualReductionTonnes: string; evidence: { title: string; sha256: string } };
  attributedAnnualReductionTonnes: string;
};

/** A rule the command refused, carried back to the page. */
class Refused extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

const statusWord = (t: Dict, status: string) =>
  ({ published: t.statusPublished, verified: t.statusVerified, rejected: t.statusRejected, under_verification: t.statusUnderVerification, submitted: t.statusSubmitted, compiled: t.statusCompiled })[status] ?? status;
const verdictWord = (t: Dict, verdict: string | null) => (verdict === 'verified' ? t.verdictVerified : verdict === 'rejected' ? t.verdictRejected : t.vfOpen);
const bankName = (ctx: PageContext, content: DisclosureContent) => (ctx.lang === 'zh' ? content.institution.nameZh : content.institution.nameEn);
const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

export function verifyPages(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const jobs = () => deps.services.jobs;
  const actorOfPage = (res: Response) => pageOf(res).actor as Actor;

  /** The assignment if it is this verifier's; anything else does not exist for it. */
  const ownAssignment = async (tx: Tx, res: Response, id: string): Promise<AssignmentRow | null> => {
    const a = isUuid(id) ? await findAssignment(tx, id) : null;
    return a && a.verifierId === actorOfPage(res).institutionId ? a : null;
  };

  router.get('/', async (_req, res) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const rows = await assignmentsOfVerifier(db, actorOfPage(res).institutionId, null);
    const items: { assignment: AssignmentRow; version: DisclosureVersionRow; sampleSize: number }[] = [];
    for (const { assignment } of rows) {
      const version = (await findVersionById(db, assignment.disclosureVersionId))!;
      items.push({ assignment, version, sampleSize: (await sampleOf(db, assignment.id)).length });
    }
    const open = items.filter((i) => !i.assignment.completedAt);
    const done = items.filter((i) => i.assignment.completedAt).sort((a, b) => b.assignment.completedAt!.getTime() - a.assignment.completedAt!.getTime());
    const table = (id: string, heading: string, list: typeof items) => html`<section aria-labelledby="${id}">
<h2 id="${id}">${heading}</h2>
${list.length
  ? html`<table class="queue"><thead><tr><th scope="col">${t.vfBank}</th><th scope="col">${t.quarter}</th><th scope="col">${t.vfVersion}</th><th scope="col">${t.vfAssignedOn}</th><th scope="col">${t.vfSampleSize}</th><th scope="col">${t.vfStatus}</th></tr></thead>
<tbody>${list.map(
      ({ assignment, version, sampleSize }) => html`<tr>
<td><a href="/verify/${assignment.id}">${bankName(ctx, version.content as DisclosureContent)}</a></td>
<td>${version.quarter}</td><td>${version.version}</td><td>${assignment.assignedAt.toISOString().slice(0, 10)}</td><td>${sampleSize}</td>
<td>${verdictWord(t, assignment.verdict)}</td></tr>`,
    )}</tbody></table>`
  : html`<p>${t.nothingHere}</p>`}
</section>`;
    const body = html`<h1>${t.verifyHeading}</h1>
${items.length ? html`${table('q-open', t.vfOpenHeading, open)}${table('q-done', t.vfDoneHeading, done)}` : html`<p>${t.verifyEmpty}</p>`}`;
    sendPage(res, ctx, t.verifyHeading, body);
  });

  router.get('/:assignmentId', async (req, res) => {
    const ctx = pageOf(res);
    const a = await ownAssignment(db, res, String(req.params.assignmentId));
    if (!a) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const error = KNOWN_ERRORS.find((c) => c === req.query.error) ?? null;
    await renderAssignment(req, res, a, { error, saved: req.query.saved === '1' });
  });

  const renderAssignment = async (_req: Request, res: Response, a: AssignmentRow, options: { error: ErrorCode | null; saved: boolean }) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const version = (await findVersionById(db, a.disclosureVersionId))!;
    const content = version.content as DisclosureContent;
    const [sample, recorded] = [await sampleOf(db, a.id), await findingsOf(db, a.id)];
    const refOf = new Map(sample.map((s) => [s.loanId, (s.snapshot as Snapshot).loanRef]));
    // shown by sampled loan, then in the order of the five checks (stable for equal timestamps)
    const ordinalOf = new Map(sample.map((s) => [s.loanId, s.ordinal]));
    const findings = recorded.slice().sort((x, y) => (ordinalOf.get(x.loanId) ?? 0) - (ordinalOf.get(y.loanId) ?? 0) || CHECKS.indexOf(x.check as Check) - CHECKS.indexOf(y.check as Check));
    const heading = fill(t.vfDetailHeading, { bank: bankName(ctx, content), quarter: version.quarter, version: version.version });
    const openForWork = !a.completedAt && version.status === 'under_verification';
    const horizons: [string, keyof DisclosureContent['horizons']][] = [
      [t.horizonQuarter, 'quarter'],
      [t.horizonYtd, 'yearToDate'],
      [t.horizonSince, 'sinceInception'],
    ];
    const figures = html`<section aria-labelledby="h-figures"><h2 id="h-figures">${t.vfFiguresHeading}</h2>
<table class="figures"><thead><tr><th scope="col">${t.vfHorizon}</th><th scope="col">${t.projects}</th><th scope="col">${t.loanAmount}</th><th scope="col">${t.weightedRate}</th><th scope="col">${t.annualReduction}</th></tr></thead>
<tbody>${horizons.map(([word, key]) => {
      const h = content.horizons?.[key];
      return h ? html`<tr><th scope="row">${word}</th><td>${h.projects}</td><td>${h.loanAmountWanYuan}</td><td>${h.weightedAverageRatePercent ?? '—'}</td><td>${h.annualReductionTonnes}</td></tr>` : '';
    })}</tbody></table>
<p>${t.vfVersionStatus}: ${statusWord(t, version.status)} · SHA-256 <code>${version.contentSha256}</code></p></section>`;

    const sampleTable = html`<section aria-labelledby="h-sample"><h2 id="h-sample">${t.sampleHeading}</h2>
<div class="table-scroll" role="region" aria-labelledby="h-sample" tabindex="0"><table class="sample"><thead><tr><th scope="col">#</th><th scope="col">${t.loanRef}</th><th scope="col">${t.vfBorrower}</th><th scope="col">${t.principal}</th><th scope="col">${t.rate}</th><th scope="col">${t.vfDisbursedOn}</th><th scope="col">${t.vfProject}</th><th scope="col">${t.subArea}</th><th scope="col">${t.vfTotalInvestment}</th><th scope="col">${t.vfProjectReduction}</th><th scope="col">${t.vfAttributedReduction}</th><th scope="col">${t.vfEvidenceTitle}</th><th scope="col">${t.vfEvidenceSha}</th><th scope="col">${t.vfReason}</th></tr></thead>
<tbody>${sample.map((s) => {
      const l = s.snapshot as Snapshot;
      return html`<tr><td>${s.ordinal}</td><td>${l.loanRef}</td><td>${l.borrowerName}</td><td>${l.principal}</td><td>${l.annualRatePercent}</td><td>${l.disbursedOn}</td><td>${l.project.name}</td><td>${l.project.subArea}</td><td>${l.project.totalInvestment}</td><td>${l.project.annualReductionTonnes}</td><td>${l.attributedAnnualReductionTonnes}</td><td>${l.project.evidence.title}</td><td><code class="sha">${l.project.evidence.sha256}</code></td><td>${s.reason === 'material' ? t.vfReasonMaterial : t.vfReasonRandom}</td></tr>`;
    })}</tbody></table></div></section>`;

    const findingsList = html`<section aria-labelledby="h-findings"><h2 id="h-findings">${t.vfFindingsHeading}</h2>
${findings.length
  ? html`<table class="findings"><thead><tr><th scope="col">${t.loanRef}</th><th scope="col">${t.vfCheck}</th><th scope="col">${t.result}</th><th scope="col">${t.note}</th></tr></thead>
<tbody>${findings.map((f) => html`<tr><td>${refOf.get(f.loanId) ?? f.loanId}</td><td>${t[CHECK_WORD[f.check as Check]] ?? f.check}</td><td class="${f.outcome}">${f.outcome === 'pass' ? t.vfPass : t.vfFail}</td><td>${f.note ?? ''}</td></tr>`)}</tbody></table>`
  : html`<p>${t.vfNoFindings}</p>`}</section>`;

    const findingForms: Html = openForWork
      ? html`<section aria-labelledby="h-record"><h2 id="h-record">${t.vfRecordHeading}</h2>
${sample.map((s) => {
          const l = s.snapshot as Snapshot;
          const p = `l${s.ordinal}`;
          return html`<form method="post" action="/verify/${a.id}/findings" class="finding-form" id="${p}-form">
${ctx.csrfField()}<input type="hidden" name="loanId" value="${s.loanId}">
<fieldset><legend>${fill(t.vfLoanLegend, { ref: l.loanRef })}</legend>
${CHECKS.map(
  (c) => html`<div class="check-row">
<label for="${p}-${c}">${t[CHECK_WORD[c]]}</label>
<select id="${p}-${c}" name="outcome_${c}"><option value="pass">${t.vfPass}</option><option value="fail">${t.vfFail}</option></select>
<label for="${p}-${c}-note">${t.note} (${t[CHECK_WORD[c]]})</label>
<input id="${p}-${c}-note" name="note_${c}" maxlength="4000">
</div>`,
)}
<button type="submit">${t.vfRecordFindings}</button>
</fieldset></form>`;
        })}</section>`
      : html``;

    const verdict = a.verdict
      ? html`<section aria-labelledby="h-verdict"><h2 id="h-verdict">${t.vfVerdictHeading}</h2>
<p class="verdict ${a.verdict}">${fill(t.vfVerdictGiven, { verdict: verdictWord(t, a.verdict), date: a.completedOn ?? '' })}</p>
<p>${t.summary}: ${a.summary ?? ''}</p>${a.reportSha256 ? html`<p>SHA-256 <code>${a.reportSha256}</code></p>` : ''}</section>`
      : openForWork
        ? html`<section aria-labelledby="h-verdict"><h2 id="h-verdict">${t.vfVerdictHeading}</h2>
<form method="post" action="/verify/${a.id}/verdict" class="stack verdict-form">
${ctx.csrfField()}
<label for="verdict">${t.vfVerdict}</label>
<select id="verdict" name="verdict"><option value="verified">${t.verdictVerified}</option><option value="rejected">${t.verdictRejected}</option></select>
<label for="summary">${t.summary}</label>
<textarea id="summary" name="summary" required maxlength="8000" rows="4"></textarea>
<button type="submit">${t.giveVerdict}</button>
</form></section>`
        : html``;

    const message = options.error
      ? html`<p class="error" role="alert">${t.vfErrorPrefix} ${t[`vfErr_${options.error}` as keyof Dict]} (${options.error})</p>`
      : options.saved
        ? html`<p class="notice" role="status">${t.vfSaved}</p>`
        : '';
    const body = html`<h1>${heading}</h1>
<p><a href="/verify">${t.vfBackToQueue}</a></p>
${message}
${figures}
${sampleTable}
${findingsList}
${findingForms}
${verdict}`;
    sendPage(res, ctx, heading, body);
  };

  /**
   * Runs a command on the assignment in one transaction, with the version locked and required to be
   * under verification (as the API does); redirects back with `saved=1`, or with the refused rule.
   */
  const command = (run: (tx: Tx, version: DisclosureVersionRow, assignment: AssignmentRow, req: Request, res: Response) => Promise<void>, afterCommit?: () => void) => async (req: Request, res: Response) => {
    const ctx = pageOf(res);
    const id = String(req.params.assignmentId);
    if (!(await ownAssignment(db, res, id))) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    try {
      await db.transaction(async (tx) => {
        const assignment = (await findAssignment(tx, id))!;
        const judged = (await findVersionById(tx, assignment.disclosureVersionId))!;
        const latest = await findLatestVersion(tx, judged.institutionId, judged.quarter, { lock: true });
        if (!latest || latest.id !== judged.id || latest.status !== 'under_verification' || assignment.completedAt) throw new Refused('illegal_transition');
        await run(tx, latest, assignment, req, res);
      });
    } catch (err) {
      if (err instanceof Refused) return res.redirect(303, `/verify/${id}?error=${err.code}`);
      throw err;
    }
    afterCommit?.();
    res.redirect(303, `/verify/${id}?saved=1`);
  };

  router.post(
    '/:assignmentId/findings',
    command(async (tx, _version, assignment, req, res) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
      const parsed = FindingsBody.safeParse({
        findings: CHECKS.map((check) => ({ loanId: text(form.loanId), check, outcome: text(form[`outcome_${check}`]), ...(text(form[`note_${check}`]) ? { note: text(form[`note_${check}`]) } : {}) })),
      });
      if (!parsed.success) throw new Refused('invalid_input');
      const sampled = new Set((await sampleOf(tx, assignment.id)).map((s) => s.loanId));
      if (parsed.data.findings.some((f) => !sampled.has(f.loanId))) throw new Refused('loan_not_in_sample');
      await addFindings(tx, assignment.id, actorOfPage(res).userId, parsed.data.findings);
    }),
  );

  router.post(
    '/:assignmentId/verdict',
    command(async (tx, version, assignment, req) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const parsed = VerdictBody.safeParse({ verdict: form.verdict, summary: typeof form.summary === 'string' ? form.summary.trim() : '' });
      if (!parsed.success) throw new Refused('invalid_input');
      const given = await giveVerdict(tx, version, assignment, { verdict: parsed.data.verdict, summary: parsed.data.summary, now: deps.now() });
      if (!given.ok) throw new Refused((KNOWN_ERRORS as readonly string[]).includes(given.status) ? (given.status as ErrorCode) : 'illegal_transition');
    }, () => void jobs()?.relayNow().catch(() => undefined)),
  );

  return router;
}
