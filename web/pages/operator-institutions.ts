/** The operator's workflow pages: institutions and users (the API key is shown once, on the answer page). */
import { Router, type Request, type Response } from 'express';
import { proposeAct } from '../../app/approvals/propose-act.js';
import { addUser } from '../../app/institutions/add-user.js';
import { registerInstitution } from '../../app/institutions/register-institution.js';
import { updateInstitution } from '../../app/institutions/update-institution.js';
import { perform, settled, type ActorContext } from '../../app/perform.js';
import { findInstitutionByCode, listInstitutions } from '../../db/repositories/institutions.js';
import { hashPassword } from '../../platform/passwords.js';
import { CreateInstitutionBody, CreateUserBody } from '../../schemas/institutions.js';
import type { AppDeps } from '../../process/context.js';
import { pageActorOf } from '../session/sessions.js';
import { pageOf } from './context.js';
import { cells, html } from './html.js';
import { fill, type Dict } from './i18n.js';
import { sendPage } from './layout.js';

import { Form, Pending, commandOf, outcome, pending, proposedQuery, ruleOf, section, subnav, table, text } from './operator-work.js';

export function institutionPages(deps: AppDeps): Router {
  const router = Router();
  const { db } = deps.database;
  const command = commandOf(deps);

  // ---- institutions and users: the API key is shown once, on the answer page
  const institutionsPage = async (req: Request, res: Response, shown?: { heading: string; lines: string[] }) => {
    const ctx = pageOf(res);
    const { t } = ctx;
    const list = (await listInstitutions(db, { limit: 1000 })).slice(0, 1000);
    const rows = list.map(
      (i) =>
        html`<tr id="inst-${i.code}"><th scope="row">${i.code}</th>${cells([i.kind, i.nameZh, i.nameEn, i.eligibleFrom ?? '—', i.eligibleUntil ?? '—'])}</tr>`,
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
${section('h-institutions', t.owInstitutionsHeading, table(t.owInstitutionsHeading, [t.owCode, t.owKind, t.owNameZh, t.owNameEn, t.owEligibleFrom, t.owEligibleUntil], rows, t.opNone))}`;
    sendPage(res, ctx, t.owInstitutionsHeading, body);
  };
  router.get('/institutions', (req, res) => institutionsPage(req, res));

  router.post(
    '/institutions/update',
    command(
      '/operator/institutions',
      (form) => {
        const code = text(form.code);
        const change = Object.fromEntries(
          (['nameZh', 'nameEn', 'eligibleFrom', 'eligibleUntil'] as const).filter((k) => text(form[k])).map((k) => [k, text(form[k])]),
        );
        const parsed = CreateInstitutionBody.pick({ eligibleFrom: true, eligibleUntil: true, nameZh: true, nameEn: true })
          .partial()
          .strict()
          .safeParse(change);
        return parsed.success && /^[A-Z0-9_-]{2,32}$/.test(code) && Object.keys(parsed.data).length ? { code, change: parsed.data } : null;
      },
      async (ctx, input) => {
        if (input.change.eligibleFrom !== undefined || input.change.eligibleUntil !== undefined) {
          // eligibility decides who may draw on the facility: four eyes, as PATCH /api/v1/institutions/:code
          return pending(await proposeAct(ctx, 'update_institution_eligibility', input), 'an eligibility change');
        }
        const row = await updateInstitution(ctx, input);
        return `${row.code}: ${row.nameZh} / ${row.nameEn} · ${row.eligibleFrom ?? '—'} – ${row.eligibleUntil ?? '—'}`;
      },
    ),
  );

  /**
   * Runs a command whose answer holds a secret shown once: rendered directly, never put in a URL. A
   * proposal (four eyes) holds no secret: the page comes back with it.
   */
  const secretCommand =
    <I>(
      parse: (form: Form) => I | null,
      run: (ctx: ActorContext, input: I, t: Dict) => Promise<{ heading: string; lines: string[] } | Pending>,
    ) =>
    async (req: Request, res: Response) => {
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
  router.post(
    '/institutions',
    secretCommand(
      (form) => {
        const parsed = CreateInstitutionBody.safeParse({
          code: text(form.code),
          kind: text(form.kind),
          nameZh: text(form.nameZh),
          nameEn: text(form.nameEn),
          ...(text(form.eligibleFrom) ? { eligibleFrom: text(form.eligibleFrom) } : {}),
        });
        return parsed.success ? parsed.data : null;
      },
      async (ctx, input, t) => {
        const r = await registerInstitution(ctx, input);
        return { heading: fill(t.owRegistered, { code: r.institution.code }), lines: [`${r.user.name}`, r.user.apiKey] };
      },
    ),
  );
  router.post(
    '/users',
    secretCommand(
      (form) => {
        const password = text(form.password);
        const parsed = CreateUserBody.safeParse({ name: text(form.name), ...(password ? { password } : {}) });
        const code = text(form.institutionCode);
        return parsed.success && /^[A-Z0-9_-]{2,32}$/.test(code) ? { institutionCode: code, ...parsed.data } : null;
      },
      async (ctx, input, t) => {
        const institution = await findInstitutionByCode(ctx.tx, input.institutionCode);
        if (institution?.kind === 'operator') {
          // a central-bank operator takes four eyes (but the second one, while there is no second to confirm),
          // as POST /api/v1/institutions/PBOC/users
          const proposal = { name: input.name, ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}) };
          const proposed = await proposeAct(ctx, 'add_operator', proposal);
          if (!proposed.performed) return { proposed: proposed.approval };
          const u = proposed.value;
          return { heading: fill(t.owUserAdded, { code: input.institutionCode, name: u.name }), lines: [u.apiKey] };
        }
        const u = await addUser(ctx, input);
        return { heading: fill(t.owUserAdded, { code: input.institutionCode, name: u.name }), lines: [u.apiKey] };
      },
    ),
  );

  return router;
}
