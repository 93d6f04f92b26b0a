/**
 * The verifier's findings: the list of recorded findings (each correctable while the assignment is open),
 * the form per sampled loan for the checks not yet recorded, and the two commands those forms post.
 */
import { Router } from 'express';
import { correctFinding } from '../../app/disclosures/correct-finding.js';
import { recordFindings } from '../../app/disclosures/verification.js';
import type { AssignmentView } from '../../db/read-models/verifier-queue.js';
import type { FindingRow, SampleRow } from '../../db/repositories/verification.js';
import { FindingsBody, SupersedeFindingBody } from '../../schemas/verification.js';
import type { AppDeps } from '../../process/context.js';
import type { PageContext } from './context.js';
import { cells, headRow, html, type Html } from './html.js';
import { fill } from './i18n.js';
import { CHECK_WORD, CHECKS, isUuid, text, verifyCommand, type Check, type Snapshot } from './verify-shared.js';

/** The findings in force and superseded, then (while open for work) the form to record the rest. */
export function findingsSections(
  ctx: PageContext,
  a: AssignmentView['assignment'],
  sample: SampleRow[],
  findings: FindingRow[],
  openForWork: boolean,
): { findingsList: Html; findingForms: Html } {
  const { t } = ctx;
  const refOf = new Map(sample.map((s) => [s.loanId, (s.snapshot as Snapshot).loanRef]));
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
  return { findingsList, findingForms };
}

export function verifyFindingPages(deps: AppDeps): Router {
  const router = Router();
  const command = verifyCommand(deps);

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

  return router;
}
