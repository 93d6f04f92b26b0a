/**
 * The query threads of a verification as the verifier's page and the bank's drafts page show them:
 * each query with its loan, who asked and when, each answer; a form to raise a query (the verifier)
 * or to answer one (the bank) while the version is under verification.
 */
import type { QueryThread, ThreadMessage } from '../../db/repositories/verification-queries.js';
import type { PageContext } from './context.js';
import { html, type Html } from './html.js';
import { fill } from './i18n.js';

const when = (at: Date) => at.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export function queryThreadsSection(
  ctx: PageContext,
  id: string,
  threads: QueryThread[],
  forms: {
    /** the verifier's form: where it posts and the sampled loans to choose from */
    raise?: { action: string; loans: { id: string; ref: string }[] };
    /** the bank's answer form: where the answer to a query posts */
    answerAction?: (queryId: string) => string;
  } = {},
): Html {
  const { t } = ctx;
  const message = (m: ThreadMessage, phrase: string) =>
    html`<p class="thread-meta">${fill(phrase, { who: m.by, institution: m.institution, at: when(m.at) })}</p><p class="thread-text">${m.text}</p>`;
  const thread = (q: QueryThread) => html`<li class="thread" id="query-${q.id}">
<p><strong>${t.loanRef}: ${q.loanRef}</strong></p>
${message(q.question, t.evAskedBy)}
${q.answers.length ? html`<ul class="answers">${q.answers.map((a) => html`<li>${message(a, t.evAnsweredBy)}</li>`)}</ul>` : html`<p class="hint">${t.evNoAnswer}</p>`}
${
  forms.answerAction
    ? html`<form method="post" action="${forms.answerAction(q.id)}" class="stack answer-form">${ctx.csrfField()}
<label for="a-${q.id}">${t.evAnswerText}</label><textarea id="a-${q.id}" name="text" required maxlength="4000" rows="3"></textarea>
<button type="submit">${t.evAnswerButton}</button></form>`
    : ''
}
</li>`;
  const raise = forms.raise
    ? html`<h3 id="${id}-raise">${t.evRaiseHeading}</h3>
<form method="post" action="${forms.raise.action}" class="stack query-form">${ctx.csrfField()}
<label for="${id}-loan">${t.loanRef}</label><select id="${id}-loan" name="loanId" required>${forms.raise.loans.map(
        (l) => html`<option value="${l.id}">${l.ref}</option>`,
      )}</select>
<label for="${id}-text">${t.evQueryText}</label><textarea id="${id}-text" name="text" required maxlength="4000" rows="3"></textarea>
<button type="submit">${t.evRaiseButton}</button></form>`
    : '';
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${t.evQueriesHeading}</h2>
${threads.length ? html`<ol class="threads">${threads.map(thread)}</ol>` : html`<p>${t.evNoQueries}</p>`}
${raise}</section>`;
}
