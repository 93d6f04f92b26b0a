/**
 * Verifier pages (/verify/*): the queue of the verifier's own assignments, one disclosure's figures and
 * frozen sample, a form per sampled loan to record the five checks, and the verdict. Commands call the
 * same use cases as the API (app/disclosures/verification.ts), one transaction each; a refusal comes
 * back to the page as the problems table's message (role="alert"), never a 500.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { correctFinding } from '../../app/disclosures/correct-finding.js';
import { raiseQuery } from '../../app/disclosures/raise-query.js';
import { giveVerdict, recordFindings, type AssignmentRef } from '../../app/disclosures/verification.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import type { Refusal } from '../../app/refusals.js';
import { assignmentView, verifierQueue, type AssignmentView } from '../../db/read-models/verifier-queue.js';
import { uploadedEvidence } from '../../db/repositories/evidence.js';
import { findingsOf, sampleOf } from '../../db/repositories/verification.js';
import { queryThreadsOf } from '../../db/repositories/verification-queries.js';
import type { DisclosureContent } from '../../domain/disclosures/compile.js';
import { RaiseQueryBody } from '../../schemas/evidence.js';
import { FindingsBody, SupersedeFindingBody, VerdictBody } from '../../schemas/verification.js';
import type { Actor, AppDeps } from '../../process/context.js';
import { isRefusalStatus, pageMessage, PROBLEMS } from '../../api/problems.js';
import { pageOf, type PageContext } from './context.js';
import { cellRow, cells, headRow, html, type Html } from './html.js';
import { namedProjectsNote } from './statement-sections.js';
import { queryThreadsSection } from './query-threads.js';
import { evidencePageUrl } from '../../api/presenters/evidence.js';
import { fill, type Dict } from './i18n.js';
import { sendMessagePage, sendPage } from './layout.js';

const CHECKS = ['area', 'amount', 'rate', 'reduction', 'evidence'] as const;
type Check = (typeof CHECKS)[number];
const CHECK_WORD: Record<Check, keyof Dict> = {
  area: 'vfCheckArea',
  amount: 'vfCheckAmount',
  rate: 'vfCheckRate',
  reduction: 'vfCheckReduction',
  evidence: 'vfCheckEvidence',
};

type Snapshot = {
  loanRef: string;
  borrowerName: string;
  principal: string;
  annualRatePercent: string;
  disbursedOn: string;
  project: {
    ref: string;
    name: string;
    subArea: string;
    area: string | null;
    totalInvestment: string;
    annualReductionTonnes: string;
    evidence: { title: string; sha256: string };
  };
  attributedAnnualReductionTonnes: string;
};

/** The rule a refusal names: a field-level refusal names it in its first violation. */
const ruleOf = (refusal: Refusal) =>
  refusal.status === 'validation_failed' && refusal.errors?.length ? refusal.errors[0].code : refusal.status;

const statusWord = (t: Dict, status: string) =>
  ({
    published: t.statusPublished,
    verified: t.statusVerified,
    rejected: t.statusRejected,
    under_verification: t.statusUnderVerification,
    submitted: t.statusSubmitted,
    compiled: t.statusCompiled,
    superseded: t.statusSuperseded,
  })[status] ?? status;
/** An assignment closed without a verdict was withdrawn (its version was superseded by a new one). */
const verdictWord = (t: Dict, a: { verdict: string | null; completedAt: Date | null }) =>
  a.verdict === 'verified' ? t.verdictVerified : a.verdict === 'rejected' ? t.verdictRejected : a.completedAt ? t.vfWithdrawn : t.vfOpen;
const bankName = (ctx: PageContext, content: DisclosureContent) =>
  ctx.lang === 'zh' ? content.institution.nameZh : content.institution.nameEn;
const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

export function verifyPages(deps: AppDeps): Router {
  const { db } = deps.database;
  const router = Router();
  const actorOfPage = (res: Response) => pageOf(res).actor as Actor;

  /** The assignment's view if it is this verifier's; anything else does not exist for it. */
  const ownAssignment = async (res: Response, id: string): Promise<AssignmentView | null> => {
    const view = isUuid(id) ? await assignmentView(db, id) : null;
    return view && view.assignment.verifierId === actorOfPage(res).institutionId ? view : null;
  };

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
<td>${version.quarter}</td><td>${version.version}</td><td>${assignment.assignedAt.toISOString().slice(0, 10)}</td><td>${sampleSize}</td>
<td>${verdictWord(t, assignment)}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${t.nothingHere}</p>`
}
</section>`;
    const body = html`<h1>${t.verifyHeading}</h1>
${items.length ? html`${table('q-open', t.vfOpenHeading, open)}${table('q-done', t.vfDoneHeading, done)}` : html`<p>${t.verifyEmpty}</p>`}`;
    sendPage(res, ctx, t.verifyHeading, body);
  });

  router.get('/:assignmentId', async (req, res) => {
    const ctx = pageOf(res);
    const view = await ownAssignment(res, String(req.params.assignmentId));
    if (!view) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    const error = typeof req.query.error === 'string' && isRefusalStatus(req.query.error) ? req.query.error : null;
    await renderAssignment(req, res, view, { error, saved: req.query.saved === '1' });
  });

  const renderAssignment = async (
    _req: Request,
    res: Response,
    view: AssignmentView,
    options: { error: string | null; saved: boolean },
  ) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const { assignment: a, version } = view;
    const content = version.content as DisclosureContent;
    const [sample, recorded] = [await sampleOf(db, a.id), await findingsOf(db, a.id)];
    // each sampled loan's evidence file: a link when the bank uploaded it, else "not uploaded yet"
    const uploaded = new Set(
      (
        await uploadedEvidence(
          db,
          sample.map((s) => (s.snapshot as Snapshot).project.evidence.sha256),
        )
      ).map((f) => f.contentSha256),
    );
    const threads = await queryThreadsOf(db, version.id);
    const refOf = new Map(sample.map((s) => [s.loanId, (s.snapshot as Snapshot).loanRef]));
    // shown by sampled loan, then in the order of the five checks (stable for equal timestamps)
    const ordinalOf = new Map(sample.map((s) => [s.loanId, s.ordinal]));
    const findings = recorded
      .slice()
      .sort(
        (x, y) =>
          (ordinalOf.get(x.loanId) ?? 0) - (ordinalOf.get(y.loanId) ?? 0) ||
          CHECKS.indexOf(x.check as Check) - CHECKS.indexOf(y.check as Check),
      );
    const heading = fill(t.vfDetailHeading, { bank: bankName(ctx, content), quarter: version.quarter, version: version.version });
    const openForWork = !a.completedAt && version.status === 'under_verification';
    const horizons: [string, keyof DisclosureContent['horizons']][] = [
      [t.horizonQuarter, 'quarter'],
      [t.horizonYtd, 'yearToDate'],
      [t.horizonSince, 'sinceInception'],
    ];
    const figures = html`<section aria-labelledby="h-figures"><h2 id="h-figures">${t.vfFiguresHeading}</h2>
<table class="figures">${headRow([t.vfHorizon, t.projects, t.loanAmount, t.weightedRate, t.annualReduction])}
<tbody>${horizons.map(([word, key]) => {
      const h = content.horizons?.[key];
      return h
        ? html`<tr><th scope="row">${word}</th>${cells([h.projects, h.loanAmountWanYuan, h.weightedAverageRatePercent ?? '—', h.annualReductionTonnes])}</tr>`
        : '';
    })}</tbody></table>
${namedProjectsNote(ctx, content.namedProjects)}
<p>${t.vfVersionStatus}: ${statusWord(t, version.status)} · SHA-256 <code>${version.contentSha256}</code></p></section>`;

    const sampleTable = html`<section aria-labelledby="h-sample"><h2 id="h-sample">${t.sampleHeading}</h2>
<div class="table-scroll" role="region" aria-labelledby="h-sample" tabindex="0"><table class="sample">${headRow([
      '#',
      t.loanRef,
      t.vfBorrower,
      t.principal,
      t.rate,
      t.vfDisbursedOn,
      t.vfProject,
      t.subArea,
      t.vfTotalInvestment,
      t.vfProjectReduction,
      t.vfAttributedReduction,
      t.vfEvidenceTitle,
      t.vfEvidenceSha,
      t.vfReason,
    ])}
<tbody>${sample.map((s) => {
      const l = s.snapshot as Snapshot;
      return cellRow([
        s.ordinal,
        l.loanRef,
        l.borrowerName,
        l.principal,
        l.annualRatePercent,
        l.disbursedOn,
        l.project.name,
        l.project.subArea,
        l.project.totalInvestment,
        l.project.annualReductionTonnes,
        l.attributedAnnualReductionTonnes,
        l.project.evidence.title,
        html`<code class="sha">${l.project.evidence.sha256}</code> ${
          uploaded.has(l.project.evidence.sha256)
            ? html`<a href="${evidencePageUrl(l.project.evidence.sha256)}">${t.evOpenFile}</a>`
            : html`<span class="hint">(${t.evNotUploaded})</span>`
        }`,
        s.reason === 'material' ? t.vfReasonMaterial : t.vfReasonRandom,
      ]);
    })}</tbody></table></div></section>`;

    const inForce = new Map(findings.filter((f) => f.supersededAt === null).map((f) => [`${f.loanId}/${f.check}`, f]));
    const outcomeWord = (outcome: string) => (outcome === 'pass' ? t.vfPass : t.vfFail);
    /** the outcome choice: nothing is chosen until the verifier chooses */
    const outcomeSelect = (id: string, name: string, required = false) =>
      html`<select id="${id}" name="${name}"${required ? html` required` : ''}><option value="">${t.vfChoose}</option><option value="pass">${t.vfPass}</option><option value="fail">${t.vfFail}</option></select>`;
    const correctForm = (f: (typeof findings)[number]) => {
      const p = `c-${f.id}`;
      return html`<details class="correct"><summary>${t.vfCorrect}</summary>
<form method="post" action="/verify/${a.id}/findings/${f.id}/supersede" class="stack correct-form">${ctx.csrfField()}
<label for="${p}-outcome">${t.result}</label>${outcomeSelect(`${p}-outcome`, 'outcome', true)}
<label for="${p}-note">${t.note}</label><input id="${p}-note" name="note" maxlength="4000">
<label for="${p}-reason">${t.vfCorrectReason}</label><input id="${p}-reason" name="reason" required maxlength="2000">
<button type="submit">${t.vfCorrectSave}</button></form></details>`;
    };
    const findingRow = (f: (typeof findings)[number]) => {
      const superseded = f.supersededAt !== null;
      const state = superseded
        ? html`<span class="badge superseded">${t.vfSupersededBadge}</span>`
        : f.supersedes
          ? html`<span class="badge">${t.vfCorrectionBadge}</span> ${f.reason ?? ''}`
          : '';
      const action = openForWork && !superseded ? correctForm(f) : '';
      return html`<tr class="${superseded ? 'superseded' : 'in-force'}">${cells([refOf.get(f.loanId) ?? f.loanId, t[CHECK_WORD[f.check as Check]] ?? f.check])}<td class="${f.outcome}">${
        superseded ? html`<del>${outcomeWord(f.outcome)}</del>` : outcomeWord(f.outcome)
      }</td>${cells([f.note ?? '', state, action])}</tr>`;
    };
    const findingsList = html`<section aria-labelledby="h-findings"><h2 id="h-findings">${t.vfFindingsHeading}</h2>
${
  findings.length
    ? html`<p class="hint">${t.vfFindingsHint}</p><div class="table-scroll" role="region" aria-labelledby="h-findings" tabindex="0"><table class="findings">${headRow([t.loanRef, t.vfCheck, t.result, t.note, t.vfFindingState, t.opAction])}
<tbody>${findings.map(findingRow)}</tbody></table></div>`
    : html`<p>${t.vfNoFindings}</p>`
}</section>`;

    const unrecorded = sample.filter((s) => CHECKS.some((c) => !inForce.has(`${s.loanId}/${c}`)));
    const loanFieldset = (s: (typeof sample)[number]) => {
      const l = s.snapshot as Snapshot;
      const p = `l${s.ordinal}`;
      const open = CHECKS.filter((c) => !inForce.has(`${s.loanId}/${c}`));
      return html`<fieldset id="${p}"><legend>${fill(t.vfLoanLegend, { ref: l.loanRef })}</legend>
<input type="hidden" name="loan_${s.ordinal}" value="${s.loanId}">
${CHECKS.map((c) => {
  const done = inForce.get(`${s.loanId}/${c}`);
  if (done)
    return html`<div class="check-row recorded"><span class="check-name">${t[CHECK_WORD[c]]}</span> <span class="${done.outcome}">${outcomeWord(done.outcome)}</span></div>`;
  return html`<div class="check-row">
<label for="${p}-${c}">${t[CHECK_WORD[c]]}</label>
${outcomeSelect(`${p}-${c}`, `outcome_${s.ordinal}_${c}`)}
<label for="${p}-${c}-note">${t.note} (${t[CHECK_WORD[c]]})</label>
<input id="${p}-${c}-note" name="note_${s.ordinal}_${c}" maxlength="4000">
</div>`;
})}
${open.length ? html`<button type="submit" name="only" value="${s.ordinal}" class="secondary">${t.vfRecordFindings}</button>` : ''}
</fieldset>`;
    };
    const findingForms: Html = openForWork
      ? html`<section aria-labelledby="h-record"><h2 id="h-record">${t.vfRecordHeading}</h2>
${
  unrecorded.length
    ? html`<p class="hint">${t.vfRecordHint}</p>
<form method="post" action="/verify/${a.id}/findings" class="findings-form">${ctx.csrfField()}
${sample.map(loanFieldset)}
<button type="submit">${t.vfRecordAll}</button></form>`
    : html`<p>${t.vfAllRecorded}</p>`
}</section>`
      : html``;

    const verdict = a.verdict
      ? html`<section aria-labelledby="h-verdict"><h2 id="h-verdict">${t.vfVerdictHeading}</h2>
<p class="verdict ${a.verdict}">${fill(t.vfVerdictGiven, { verdict: verdictWord(t, a), date: a.completedOn ?? '' })}</p>
<p>${t.summary}: ${a.summary ?? ''}</p>${a.reportSha256 ? html`<p>SHA-256 <code>${a.reportSha256}</code></p>` : ''}</section>`
      : a.completedAt
        ? html`<section aria-labelledby="h-verdict"><h2 id="h-verdict">${t.vfVerdictHeading}</h2>
<p class="verdict withdrawn">${t.vfWithdrawn}</p><p>${t.summary}: ${a.summary ?? ''}</p></section>`
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
      ? html`<p class="error" role="alert">${t.vfErrorPrefix} ${pageMessage(options.error, ctx.lang)} (${options.error})</p>`
      : options.saved
        ? html`<p class="notice" role="status">${t.vfSaved}</p>`
        : '';
    const body = html`<h1>${heading}</h1>
<p><a href="/verify">${t.vfBackToQueue}</a></p>
${message}
${figures}
${sampleTable}
${findingsList}
${queryThreadsSection(ctx, 'h-queries', threads, {
  raise: openForWork
    ? { action: `/verify/${a.id}/queries`, loans: sample.map((s) => ({ id: s.loanId, ref: (s.snapshot as Snapshot).loanRef })) }
    : undefined,
})}
${findingForms}
${verdict}`;
    sendPage(res, ctx, heading, body);
  };

  /**
   * Runs a command on the verifier's own assignment: the form is parsed (`invalid_input` when it does
   * not parse), then the use case runs in one transaction; redirects back with `saved=1`, or with the
   * rule the use case refused (a 404 when the assignment is not this verifier's).
   */
  const command =
    <I>(
      parse: (form: Record<string, unknown>) => I | null,
      run: (ctx: ActorContext, ref: AssignmentRef, input: I) => Promise<unknown>,
      afterCommit?: () => void,
    ) =>
    async (req: Request, res: Response) => {
      const ctx = pageOf(res);
      const id = String(req.params.assignmentId);
      if (!(await ownAssignment(res, id))) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
      const input = parse({ ...((req.body ?? {}) as Record<string, unknown>), ...req.params });
      if (input === null) return res.redirect(303, `/verify/${id}?error=invalid_input`);
      const actor = actorOfPage(res);
      const now = deps.now();
      const done = await settled(perform(db, { now, actor }, (uc) => run(uc, { assignmentId: id }, input)));
      if (!done.ok) {
        if (PROBLEMS[done.status].http === 404) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
        return res.redirect(303, `/verify/${id}?error=${encodeURIComponent(ruleOf(done))}`);
      }
      afterCommit?.();
      res.redirect(303, `/verify/${id}?saved=1`);
    };

  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

  /**
   * One form for every sampled loan: `loan_<n>` names the n-th sampled loan, `outcome_<n>_<check>` its
   * outcome (empty: not chosen, nothing recorded) and `note_<n>_<check>` its note; `only=<n>` (a loan's
   * own button) records that loan's chosen checks alone. Nothing chosen is an incomplete form.
   */
  router.post(
    '/:assignmentId/findings',
    command(
      (form) => {
        const only = text(form.only);
        const ordinals = Object.keys(form)
          .map((k) => /^loan_(\d{1,6})$/.exec(k)?.[1])
          .filter((n): n is string => n !== undefined && (only === '' || n === only));
        const findings = ordinals.flatMap((n) =>
          CHECKS.flatMap((check) => {
            const outcome = text(form[`outcome_${n}_${check}`]);
            if (outcome === '') return [];
            const note = text(form[`note_${n}_${check}`]);
            return [{ loanId: text(form[`loan_${n}`]), check, outcome, ...(note ? { note } : {}) }];
          }),
        );
        const parsed = FindingsBody.safeParse({ findings });
        return parsed.success ? parsed.data : null;
      },
      (ctx, ref, input) => recordFindings(ctx, { ...ref, findings: input.findings }),
    ),
  );

  router.post(
    '/:assignmentId/findings/:findingId/supersede',
    command(
      (form) => {
        const findingId = text(form.findingId);
        const note = text(form.note);
        const parsed = SupersedeFindingBody.safeParse({
          outcome: text(form.outcome),
          reason: text(form.reason),
          ...(note ? { note } : {}),
        });
        return parsed.success && isUuid(findingId) ? { findingId, ...parsed.data } : null;
      },
      (ctx, ref, input) => correctFinding(ctx, { ...ref, ...input }),
    ),
  );

  router.post(
    '/:assignmentId/queries',
    command(
      (form) => {
        const parsed = RaiseQueryBody.safeParse({ loanId: text(form.loanId), text: text(form.text) });
        return parsed.success ? parsed.data : null;
      },
      (ctx, ref, input) => raiseQuery(ctx, { ...ref, ...input }),
    ),
  );

  router.post(
    '/:assignmentId/verdict',
    command(
      (form) => {
        const parsed = VerdictBody.safeParse({
          verdict: form.verdict,
          summary: typeof form.summary === 'string' ? form.summary.trim() : '',
        });
        return parsed.success ? parsed.data : null;
      },
      (ctx, ref, input) => giveVerdict(ctx, { ...ref, verdict: input.verdict, summary: input.summary }),
      () => void deps.services.jobs?.relayNow().catch(() => undefined),
    ),
  );

  return router;
}
