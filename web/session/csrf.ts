/**
 * CSRF protection for every page form. Each browser gets a random seed in an httpOnly cookie; a form's
 * token is HMAC(secret, seed | session). A POST must carry `_csrf` equal to that token, so a foreign
 * site can neither read nor forge it, and a token from before sign-in does not work after it.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppDeps } from '../../process/context.js';
import { hmac, safeEqual, setPageCookie } from './cookies.js';
import { sessionSecret } from './secret.js';

export const CSRF_COOKIE = 'cerf_csrf';
export const CSRF_FIELD = '_csrf';

async function expectedToken(deps: AppDeps, res: Response): Promise<string> {
  const seed = res.locals.csrfSeed as string;
  const session = (res.locals.sessionToken as string | null) ?? '';
  return hmac(await sessionSecret(deps), `csrf|${seed}|${session}`);
}

/** Ensures the seed cookie and exposes `csrfToken()` to templates through res.locals. */
export function csrfSeed(deps: AppDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const cookies = (res.locals.cookies as Record<string, string> | undefined) ?? {};
    let seed = cookies[CSRF_COOKIE];
    if (!seed || !/^[A-Za-z0-9_-]{20,64}$/.test(seed)) {
      seed = randomBytes(18).toString('base64url');
      setPageCookie(req, res, CSRF_COOKIE, seed);
    }
    res.locals.csrfSeed = seed;
    res.locals.csrfToken = () => expectedToken(deps, res);
    next();
  };
}

/** Refuses any unsafe method whose `_csrf` does not match (403, rendered by the page error handler). */
export function csrfCheck(deps: AppDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    // a multipart form (a file upload) is read by its page, after this check: its token rides in the action URL
    const multipart = req.is('multipart/form-data') && typeof req.query[CSRF_FIELD] === 'string';
    const sent = multipart
      ? String(req.query[CSRF_FIELD])
      : typeof req.body?.[CSRF_FIELD] === 'string'
        ? (req.body[CSRF_FIELD] as string)
        : String(req.get('x-csrf-token') ?? '');
    const cookies = (res.locals.cookies as Record<string, string> | undefined) ?? {};
    if (!cookies[CSRF_COOKIE] || !sent || !safeEqual(sent, await expectedToken(deps, res))) {
      return next(Object.assign(new Error('csrf'), { pageStatus: 403, pageCode: 'csrf_failed' }));
    }
    next();
  };
}
