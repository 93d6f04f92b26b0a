/**
 * Page sessions: a random token in a signed, httpOnly, SameSite=Lax cookie; the database holds only
 * the token's SHA-256, its user and its expiry. Loading a session sets `res.locals.pageActor`.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { findSessionActor, insertSession, markSecondFactor, revokeSession } from '../../db/repositories/sessions.js';
import { sha256Hex } from '../../platform/credentials.js';
import type { Actor, AppDeps } from '../../process/context.js';
import { clearPageCookie, parseCookies, setPageCookie, signValue, unsignValue } from './cookies.js';
import { sessionSecret } from './secret.js';

export const SESSION_COOKIE = 'cerf_sid';
export const SESSION_SECONDS_MAX = 8 * 3600; // a working day; signing in again after that is cheap

export type PageLocals = { pageActor: Actor | null; sessionToken: string | null; secondFactorPending: Actor | null };

export function pageActorOf(res: Response): Actor | null {
  return (res.locals.pageActor as Actor | null | undefined) ?? null;
}

/** An operator who passed the first factor but not yet the second: the pages treat it as signed out, except /signin/second-factor. */
export function secondFactorPendingOf(res: Response): Actor | null {
  return (res.locals.secondFactorPending as Actor | null | undefined) ?? null;
}

/** Operators sign in to the pages with a second factor (TOTP). */
export const needsSecondFactor = (role: Actor['role']) => role === 'operator';

export function loadSession(deps: AppDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.pageActor = null;
    res.locals.sessionToken = null;
    res.locals.secondFactorPending = null;
    const cookies = parseCookies(req);
    res.locals.cookies = cookies;
    const signed = cookies[SESSION_COOKIE];
    if (!signed) return next();
    const token = unsignValue(await sessionSecret(deps), signed);
    const found = token ? await findSessionActor(deps.database.db, sha256Hex(token), deps.now()) : null;
    if (!found) {
      clearPageCookie(req, res, SESSION_COOKIE);
      return next();
    }
    const { secondFactorAt, ...actor } = found;
    res.locals.sessionToken = token;
    if (needsSecondFactor(actor.role) && !secondFactorAt) res.locals.secondFactorPending = actor;
    else res.locals.pageActor = actor;
    next();
  };
}

export async function startSession(
  deps: AppDeps,
  req: Request,
  res: Response,
  userId: string,
  method: 'password' | 'api_key',
  apiKeyId: string | null = null,
) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(deps.now().getTime() + SESSION_SECONDS_MAX * 1000);
  await insertSession(deps.database.db, { tokenSha256: sha256Hex(token), userId, method, expiresAt, apiKeyId });
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
  res.locals.secondFactorPending = null;
}

/** The session passed the second factor: from now on it opens the operator's pages. */
export async function passSecondFactor(deps: AppDeps, res: Response) {
  const token = res.locals.sessionToken as string | null;
  if (!token) return;
  await markSecondFactor(deps.database.db, sha256Hex(token), deps.now());
  res.locals.pageActor = res.locals.secondFactorPending;
  res.locals.secondFactorPending = null;
}
