/** Sign-in (user name + password, or an API key), sign-out, and the role guard for page groups. */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { findPasswordUsers, findUserRole } from '../../db/repositories/sessions.js';
import { findActorByKey } from '../../api/auth.js';
import type { AppDeps, Role } from '../../process/context.js';
import { verifyPassword } from '../../platform/passwords.js';
import { countSignInAttempt, signInSucceeded } from '../session/rate-limit.js';
import { endSession, needsSecondFactor, pageActorOf, secondFactorPendingOf, startSession } from '../session/sessions.js';
import { pageOf, type PageContext } from './context.js';
import { html } from './html.js';
import { sendMessagePage, sendPage } from './layout.js';

export const ROLE_HOME: Record<Role, string> = { operator: '/operator', verifier: '/verify', bank: '/bank' };

/** Where the first factor leads: an operator on to the second factor, the others to the page asked for or their home. */
function afterFirstFactor(role: Role, next: string | null): string {
  if (needsSecondFactor(role)) return `/signin/second-factor${next ? `?next=${encodeURIComponent(next)}` : ''}`;
  return next ?? ROLE_HOME[role];
}

/** Only same-site paths may be a redirect target after sign-in. */
export const safeNext = (next: unknown): string | null => (typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : null);

function signInPage(
  res: Response,
  ctx: PageContext,
  options: { error?: string; next?: string | null; institution?: string; user?: string } = {},
  status = 200,
) {
  const { t } = ctx;
  const next = options.next ? html`<input type="hidden" name="next" value="${options.next}">` : '';
  const body = html`<h1>${t.signInHeading}</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<div class="cards">
<section class="card" aria-labelledby="pw-heading">
  <h2 id="pw-heading">${t.signInPasswordHeading}</h2>
  <form method="post" action="/signin/password" class="stack">
    ${ctx.csrfField()}${next}
    <label for="institution">${t.institutionCode}</label>
    <input id="institution" name="institution" autocomplete="organization" required maxlength="32" value="${options.institution ?? ''}">
    <label for="user">${t.userName}</label>
    <input id="user" name="user" autocomplete="username" required maxlength="200" value="${options.user ?? ''}">
    <label for="password">${t.password}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
    <button type="submit">${t.signIn}</button>
  </form>
</section>
<section class="card" aria-labelledby="key-heading">
  <h2 id="key-heading">${t.signInKeyHeading}</h2>
  <form method="post" action="/signin/key" class="stack">
    ${ctx.csrfField()}${next}
    <label for="apiKey">${t.apiKey}</label>
    <input id="apiKey" name="apiKey" type="password" autocomplete="off" required maxlength="200">
    <button type="submit">${t.signIn}</button>
  </form>
</section>
</div>`;
  sendPage(res, ctx, t.signInHeading, body, status);
}

export function authPages(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;

  router.get('/signin', (req, res) => signInPage(res, pageOf(res), { next: safeNext(req.query.next) }));

  router.post('/signin/password', async (req, res) => {
    const ctx = pageOf(res);
    const institution = String(req.body?.institution ?? '')
      .trim()
      .toUpperCase()
      .slice(0, 32);
    const user = String(req.body?.user ?? '')
      .trim()
      .slice(0, 200);
    const password = String(req.body?.password ?? '').slice(0, 200);
    const next = safeNext(req.body?.next);
    const throttle = await countSignInAttempt(deps, req.ip ?? 'unknown', `${institution}|${user}`);
    if (!throttle.allowed) return signInPage(res, ctx, { error: ctx.t.signInThrottled, next, institution, user }, 429);
    let userId: string | null = null;
    for (const candidate of await findPasswordUsers(db, institution, user)) {
      if (await verifyPassword(password, candidate.passwordHash)) {
        userId = candidate.userId;
        break;
      }
    }
    if (!userId) return signInPage(res, ctx, { error: ctx.t.signInFailed, next, institution, user }, 401);
    await signInSucceeded(deps, throttle);
    await endSession(deps, req, res);
    await startSession(deps, req, res, userId, 'password');
    const role = (await findUserRole(db, userId))!;
    res.redirect(303, afterFirstFactor(role, next));
  });

  router.post('/signin/key', async (req, res) => {
    const ctx = pageOf(res);
    const apiKey = String(req.body?.apiKey ?? '')
      .trim()
      .slice(0, 200);
    const next = safeNext(req.body?.next);
    const throttle = await countSignInAttempt(deps, req.ip ?? 'unknown', 'api_key');
    if (!throttle.allowed) return signInPage(res, ctx, { error: ctx.t.signInThrottled, next }, 429);
    const actor = apiKey ? await findActorByKey(db, apiKey, deps.now()) : null;
    // a read-only key opens no session: every page form is a write
    if (!actor || actor.readOnly) return signInPage(res, ctx, { error: ctx.t.signInKeyFailed, next }, 401);
    await signInSucceeded(deps, throttle);
    await endSession(deps, req, res);
    await startSession(deps, req, res, actor.userId, 'api_key', actor.keyId ?? null);
    res.redirect(303, afterFirstFactor(actor.role, next));
  });

  router.post('/signout', async (req, res) => {
    await endSession(deps, req, res);
    res.redirect(303, '/');
  });

  return router;
}

/** A page group for one role: anonymous visitors are sent to sign in, other roles get 403. */
export function requirePageRole(role: Role): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const actor = pageActorOf(res);
    if (!actor) {
      const signIn = secondFactorPendingOf(res) ? '/signin/second-factor' : '/signin';
      if (req.method === 'GET') return res.redirect(303, `${signIn}?next=${encodeURIComponent(req.originalUrl)}`);
      const ctx = pageOf(res);
      return sendMessagePage(res, ctx, 401, ctx.t.signInHeading, ctx.t.signInHeading);
    }
    if (actor.role !== role) {
      const ctx = pageOf(res);
      return sendMessagePage(res, ctx, 403, ctx.t.forbiddenHeading, ctx.t.forbiddenBody);
    }
    next();
  };
}
