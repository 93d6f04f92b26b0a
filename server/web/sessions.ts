/**
 * Page sessions: a random token in a signed, httpOnly, SameSite=Lax cookie; the database holds only
 * the token's SHA-256, its user and its expiry. Loading a session sets `res.locals.pageActor`.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { findSessionActor, insertSession, revokeSession } from '../../db/repositories/sessions.js';
import { sha256Hex } from '../../platform/credentials.js';
import type { Actor, AppDeps } from '../context.js';
import { clearPageCookie, parseCookies, setPageCookie, signValue, unsignValue } from './cookies.js';
import { sessionSecret } from './secret.js';

export const SESSION_COOKIE = 'cerf_sid';
export const SESSION_SECONDS_MAX = 8 * 3600; // a working day; signing in again after that is cheap

export type PageLocals = { pageActor: Actor | null; sessionToken: string | null };

export function pageActorOf(res: Response): Actor | null {
  return (res.locals.pageActor as Actor | null | undefined) ?? null;
}

export function loadSession(deps: AppDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.pageActor = null;
    res.locals.sessionToken = null;
    const cookies = parseCookies(req);
    res.locals.cookies = cookies;
    const signed = cookies[SESSION_COOKIE];
    if (!signed) return next();
    const token = unsignValue(await sessionSecret(deps), signed);
    const actor = token ? await findSessionActor(deps.database.db, sha256Hex(token), deps.now()) : null;
    if (!actor) {
      clearPageCookie(req, res, SESSION_COOKIE);
      return next();
    }
    res.locals.pageActor = actor;
    res.locals.sessionToken = token;
    next();
  };
}

export async function startSession(deps: AppDeps, req: Request, res: Response, userId: string, method: 'password' | 'api_key') {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(deps.now().getTime() + SESSION_SECONDS_MAX * 1000);
  await insertSession(deps.database.db, { tokenSha256: sha256Hex(token), userId, method, expiresAt });
  setPageCookie(req, res, SESSION_COOKIE, signValue(await sessionSecret(deps), token), SESSION_SECONDS_MAX);
  res.locals.sessionToken = token;
}

export async function endSession(deps: AppDeps, req: Request, res: Response) {
  const token = res.locals.sessionToken as string | null;
  if (!token) return;
  await revokeSession(deps.database.db, sha256Hex(token), deps.now());
  clearPageCookie(req, res, SESSION_COOKIE);
  res.locals.pageActor = null;
  res.locals.sessionToken = null;
}
