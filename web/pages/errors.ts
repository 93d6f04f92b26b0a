/** Errors on pages answer HTML in the visitor's language (the API keeps problem+json). */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { Refused } from '../../app/refusals.js';
import { problemOf } from '../../api/problems.js';
import { pageOf } from './context.js';
import { sendMessagePage } from './layout.js';

export function pageNotFound(_req: Request, res: Response) {
  const ctx = pageOf(res);
  sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
}

/**
 * An error the visitor's address caused, not a fault of ours: a 4xx raised on the way (the router's
 * `Failed to decode param` for malformed percent-encoding is 400), or text PostgreSQL cannot hold (NUL,
 * an invalid byte sequence), which can name nothing, so the page is not found. Null for anything else.
 */
export function addressErrorStatus(err: unknown): number | null {
  const status = (err as { status?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  const pgCode = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  return pgCode === '22021' || pgCode === '22P05' ? 404 : null;
}

export const pageErrorHandler: ErrorRequestHandler = (err, req, res, next) => {
  const ctx = res.locals.page ? pageOf(res) : null;
  if (!ctx || res.headersSent) return next(err);
  const pageCode = (err as { pageCode?: string }).pageCode;
  if (pageCode === 'csrf_failed') return sendMessagePage(res, ctx, 403, ctx.t.csrfHeading, ctx.t.csrfBody);
  if (!(err instanceof Refused)) {
    const status = addressErrorStatus(err);
    if (status === 404) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    if (status !== null) return sendMessagePage(res, ctx, status, ctx.t.badAddressHeading, ctx.t.badAddressBody);
  }
  if (err instanceof Refused) {
    const problem = problemOf(err.refusal);
    if (problem.http === 404) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    if (problem.http === 403) return sendMessagePage(res, ctx, 403, ctx.t.forbiddenHeading, ctx.t.forbiddenBody);
    if (problem.http < 500) return sendMessagePage(res, ctx, problem.http, ctx.t.actionFailed, `${problem.code}: ${problem.detail}`);
  }
  return next(err);
};
