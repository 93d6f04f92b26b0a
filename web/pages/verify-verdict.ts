/** The verdict: given, withdrawn, or (while open for work) the form to give it, and the command it posts. */
import { Router } from 'express';
import { giveVerdict } from '../../app/disclosures/verification.js';
import type { AssignmentView } from '../../db/read-models/verifier-queue.js';
import { VerdictBody } from '../../schemas/verification.js';
import type { AppDeps } from '../../process/context.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import { fill } from './i18n.js';
import { verdictWord, verifyCommand } from './verify-shared.js';

export function verdictSection(ctx: PageContext, a: AssignmentView['assignment'], openForWork: boolean): Html {
  const { t } = ctx;
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
  return verdict;
}

export function verifyVerdictPages(deps: AppDeps): Router {
  const router = Router();
  const command = verifyCommand(deps);

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
