/**
 * The operator's second factor at sign-in (TOTP, RFC 6238). After the password or API key, an operator's
 * session opens no page until it passes `/signin/second-factor`: the current code from an authenticator
 * app, or one of its recovery codes. An operator without a factor enrols there: the secret (and its
 * `otpauth://` URI) is shown, the first valid code confirms it, and ten recovery codes are shown once.
 * A code already used is refused (`totp_replayed`); attempts are throttled like sign-in.
 */
import { Router, type Response } from 'express';
import { perform, settled } from '../../app/perform.js';
import { confirmTotpEnrolment, secondFactorState, startTotpEnrolment, verifySecondFactor } from '../../app/users/second-factor.js';
import type { Actor, AppDeps } from '../../process/context.js';
import { pageRefusal } from '../../api/problems.js';
import { countSignInAttempt, signInSucceeded } from '../session/rate-limit.js';
import { passSecondFactor, secondFactorPendingOf } from '../session/sessions.js';
import { ROLE_HOME, safeNext } from './auth.js';
import { pageOf, type PageContext } from './context.js';
import { html } from './html.js';
import { sendPage } from './layout.js';

function codeForm(ctx: PageContext, action: string, next: string | null, label: string, hint: string) {
  return html`<form method="post" action="${action}" class="stack">
    ${ctx.csrfField()}${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
    <label for="code">${label}</label>
    <p class="hint" id="code-hint">${hint}</p>
    <input id="code" name="code" autocomplete="one-time-code" required maxlength="64" aria-describedby="code-hint">
    <button type="submit">${ctx.t.signIn}</button>
  </form>`;
}

export function secondFactorPages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  async function show(res: Response, actor: Actor, next: string | null, error?: string | null, status = 200) {
    const ctx = pageOf(res);
    const { t } = ctx;
    const alert = error ? html`<p class="error" role="alert">${error}</p>` : '';
    const state = await secondFactorState({ tx: db }, actor.userId);
    if (state === 'enabled') {
      const body = html`<h1>${t.tfaHeading}</h1>${alert}<p>${t.tfaIntro}</p>
${codeForm(ctx, '/signin/second-factor', next, t.tfaCode, t.tfaCodeHint)}`;
      return sendPage(res, ctx, t.tfaHeading, body, status);
    }
    const enrolment = await settled(
      perform(db, { now: deps.now(), actor }, (uc) =>
        startTotpEnrolment(uc, { userId: actor.userId, label: `${actor.institutionCode}:${actor.userName}` }),
      ),
    );
    if (!enrolment.ok) throw new Error(enrolment.message);
    const body = html`<h1>${t.tfaEnrolHeading}</h1>${alert}<p>${t.tfaEnrolIntro}</p>
<dl class="facts">
  <dt>${t.tfaSecret}</dt><dd><code id="totp-secret">${enrolment.value.secret}</code></dd>
  <dt>${t.tfaUri}</dt><dd><code id="totp-uri">${enrolment.value.uri}</code></dd>
</dl>
${codeForm(ctx, '/signin/second-factor/enrol', next, t.tfaCode, t.tfaEnrolHint)}`;
    sendPage(res, ctx, t.tfaEnrolHeading, body, status);
  }

  router.get('/signin/second-factor', async (req, res) => {
    const actor = secondFactorPendingOf(res);
    if (!actor) return res.redirect(303, '/signin');
    await show(res, actor, safeNext(req.query.next));
  });

  /** Counts the attempt; on a refusal shows the form again with the rule's message. */
  async function attempt<T>(
    req: import('express').Request,
    res: Response,
    run: (actor: Actor) => Promise<{ ok: true; value: T } | { ok: false; status: string }>,
    done: (actor: Actor, value: T, next: string | null) => Promise<void> | void,
  ) {
    const actor = secondFactorPendingOf(res);
    if (!actor) return res.redirect(303, '/signin');
    const ctx = pageOf(res);
    const next = safeNext(req.body?.next);
    const throttle = await countSignInAttempt(deps, req.ip ?? 'unknown', `second-factor|${actor.userId}`);
    if (!throttle.allowed) return show(res, actor, next, ctx.t.signInThrottled, 429);
    const result = await run(actor);
    if (!result.ok) return show(res, actor, next, pageRefusal(result.status, ctx.lang), 401);
    await signInSucceeded(deps, throttle);
    await passSecondFactor(deps, res);
    await done(actor, result.value, next);
  }

  router.post('/signin/second-factor', (req, res) =>
    attempt(
      req,
      res,
      (actor) =>
        settled(
          perform(db, { now: deps.now(), actor }, (uc) =>
            verifySecondFactor(uc, { userId: actor.userId, code: String(req.body?.code ?? '') }),
          ),
        ),
      (actor, _value, next) => res.redirect(303, next ?? ROLE_HOME[actor.role]),
    ),
  );

  router.post('/signin/second-factor/enrol', (req, res) =>
    attempt(
      req,
      res,
      (actor) =>
        settled(
          perform(db, { now: deps.now(), actor }, (uc) =>
            confirmTotpEnrolment(uc, { userId: actor.userId, code: String(req.body?.code ?? '') }),
          ),
        ),
      (actor, value, next) => {
        const ctx = pageOf(res);
        ctx.actor = actor;
        const { t } = ctx;
        const body = html`<h1>${t.tfaRecoveryHeading}</h1><p>${t.tfaRecoveryIntro}</p>
<ul class="recovery-codes" id="recovery-codes">${value.recoveryCodes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="${next ?? ROLE_HOME[actor.role]}">${t.tfaContinue}</a></p>`;
        sendPage(res, ctx, t.tfaRecoveryHeading, body);
      },
    ),
  );

  return router;
}
