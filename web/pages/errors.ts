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

export const pageErrorHandler: ErrorRequestHandler = (err, req, res, next) => {
  const ctx = res.locals.page ? pageOf(res) : null;
  if (!ctx || res.headersSent) return next(err);
  const pageCode = (err as { pageCode?: string }).pageCode;
  if (pageCode === 'csrf_failed') return sendMessagePage(res, ctx, 403, ctx.t.csrfHeading, ctx.t.csrfBody);
  if (err instanceof Refused) {
    const problem = problemOf(err.refusal);
    if (problem.http === 404) return sendMessagePage(res, ctx, 404, ctx.t.notFoundHeading, ctx.t.notFoundBody);
    if (problem.http === 403) return sendMessagePage(res, ctx, 403, ctx.t.forbiddenHeading, ctx.t.forbiddenBody);
    if (problem.http < 500) return sendMessagePage(res, ctx, problem.http, ctx.t.actionFailed, `${problem.code}: ${problem.detail}`);
  }
  return next(err);
};
