/**
 * What the operator's institution pages share (operator-institution-*.ts): the institutions page (with the
 * answer of a command that holds a secret, such as an API key, shown once) and the runner of such commands.
 */
import type { Request, Response } from 'express';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import { listInstitutions } from '../../db/repositories/institutions.js';
import type { AppDeps } from '../../process/context.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf } from './context.js';
import { pageOfRead, pager, pagingOf } from './paging.js';
import { cells, html } from './html.js';
import type { Dict } from './i18n.js';
import { sendPage } from './layout.js';
import { Form, Pending, outcome, proposedQuery, ruleOf, section, subnav, table } from './operator-work.js';

/** Institutions the page's table lists. */
const INSTITUTIONS_PAGE = 50;

/** The institutions page: the list, the forms to register, add a user and update; `shown` is a secret answer shown once. */
export const institutionsPageOf = (deps: AppDeps) => async (req: Request, res: Response, shown?: { heading: string; lines: string[] }) => {
  const { db } = deps.database;
  const ctx = pageOf(res);
  const { t } = ctx;
  const list = (await listInstitutions(db, { limit: 1000 })).slice(0, 1000);
  // the table pages (the forms' selects keep every institution)
  const paging = pagingOf(req, INSTITUTIONS_PAGE);
  const { shown: listed, hasNext } = pageOfRead(list, paging);
  const kindWord = (kind: string) => ({ bank: t.owKindBank, verifier: t.owKindVerifier, operator: t.owKindOperator })[kind] ?? kind;
  const rows = listed.map(
    (i) =>
      html`<tr id="inst-${i.code}"><th scope="row">${i.code}</th>${cells([kindWord(i.kind), i.nameZh, i.nameEn, i.eligibleFrom ?? '—', i.eligibleUntil ?? '—'])}</tr>`,
  );
  const kinds = html`<option value="bank">${t.owKindBank}</option><option value="verifier">${t.owKindVerifier}</option>`;
  const codes = list.map((i) => html`<option value="${i.code}">${i.code}</option>`);
  const created = shown
    ? html`<div class="notice" role="status"><p><strong>${shown.heading}</strong></p>${shown.lines.map((l) => html`<p><code>${l}</code></p>`)}<p>${t.owKeyOnce}</p></div>`
    : '';
  const body = html`<h1>${t.owInstitutionsHeading}</h1>${subnav(ctx, '/operator/institutions')}${outcome(ctx, req)}${created}
${section(
  'h-register',
  t.owRegisterHeading,
  html`<form method="post" action="/operator/institutions" class="stack narrow">${ctx.csrfField()}
<label for="in-code">${t.owCode}</label><input id="in-code" name="code" required pattern="[A-Z0-9_\\-]{2,32}">
<label for="in-kind">${t.owKind}</label><select id="in-kind" name="kind">${kinds}</select>
<label for="in-zh">${t.owNameZh}</label><input id="in-zh" name="nameZh" required maxlength="200">
<label for="in-en">${t.owNameEn}</label><input id="in-en" name="nameEn" required maxlength="200" lang="en">
<label for="in-from">${t.owEligibleFrom}</label><input id="in-from" name="eligibleFrom" type="date">
<button type="submit">${t.owRegister}</button></form>`,
)}
${section(
  'h-user',
  t.owUserHeading,
  html`<form method="post" action="/operator/users" class="stack narrow">${ctx.csrfField()}
<label for="us-inst">${t.institution}</label><select id="us-inst" name="institutionCode" required><option value="">${t.vfChoose}</option>${codes}</select>
<label for="us-name">${t.owUserName}</label><input id="us-name" name="name" required maxlength="200">
<label for="us-password">${t.owPassword}</label><input id="us-password" name="password" type="password" minlength="12" maxlength="200" autocomplete="new-password">
<button type="submit">${t.owAddUser}</button></form>`,
)}
${section(
  'h-update',
  t.owUpdateHeading,
  html`<form method="post" action="/operator/institutions/update" class="stack narrow">${ctx.csrfField()}
<label for="up-inst">${t.institution}</label><select id="up-inst" name="code" required><option value="">${t.vfChoose}</option>${codes}</select>
<label for="up-zh">${t.owNameZh}</label><input id="up-zh" name="nameZh" maxlength="200">
<label for="up-en">${t.owNameEn}</label><input id="up-en" name="nameEn" maxlength="200" lang="en">
<label for="up-from">${t.owEligibleFrom}</label><input id="up-from" name="eligibleFrom" type="date">
<label for="up-until">${t.owEligibleUntil}</label><input id="up-until" name="eligibleUntil" type="date">
<p class="hint">${t.owUpdateHint}</p>
<button type="submit">${t.owUpdate}</button></form>`,
)}
${section('h-institutions', t.owInstitutionsHeading, html`${table(t.owInstitutionsHeading, [t.owCode, t.owKind, t.owNameZh, t.owNameEn, t.owEligibleFrom, t.owEligibleUntil], rows, t.opNone)}${pager(ctx, paging, rows.length, hasNext)}`)}`;
  sendPage(res, ctx, t.owInstitutionsHeading, body);
};

/**
 * Runs a command whose answer holds a secret shown once: rendered directly, never put in a URL. A
 * proposal (four eyes) holds no secret: the page comes back with it.
 */
export const secretCommandOf =
  (deps: AppDeps) =>
  <I>(
    parse: (form: Form) => I | null,
    run: (ctx: ActorContext, input: I, t: Dict) => Promise<{ heading: string; lines: string[] } | Pending>,
  ) => {
    const { db } = deps.database;
    const institutionsPage = institutionsPageOf(deps);
    return async (req: Request, res: Response) => {
      const input = parse((req.body ?? {}) as Form);
      if (input === null) return res.redirect(303, '/operator/institutions?error=invalid_input');
      const actor = pageActorOf(res)!;
      const result = await settled(perform(db, { now: deps.now(), actor }, (uc) => run(uc, input, pageOf(res).t)));
      if (!result.ok) {
        const { rule, field } = ruleOf(result);
        const q = new URLSearchParams({ error: result.status, ...(rule ? { rule } : {}), ...(field ? { field } : {}) });
        return res.redirect(303, `/operator/institutions?${q.toString()}`);
      }
      if ('proposed' in result.value) {
        return res.redirect(303, `/operator/institutions?${new URLSearchParams(proposedQuery(result.value.proposed)).toString()}`);
      }
      await institutionsPage(req, res, result.value);
    };
  };
