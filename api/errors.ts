/**
 * Every expected failure is a `Refused` (app/refusals.ts), rendered as RFC 9457 problem+json by one
 * handler through the problems table. `code` names the rule; `errors` lists field-level violations.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { Refused, type RefusalStatus } from '../app/refusals.js';
import type { Violation } from '../domain/result.js';
import { problemOf } from './problems.js';

/**
 * Refusals raised at the edge (a malformed id, a missing key, a body of the wrong shape): the same
 * `Refused` the use cases throw, so every answer goes through the problems table.
 */
export const validationFailed = (errors: Violation[]) =>
  new Refused(
    'validation_failed',
    `${errors.length} rule${errors.length === 1 ? '' : 's'} not met: ${errors.map((e) => `${e.path} (${e.code})`).join(', ')}`,
    { errors },
  );
export const notFound = (what: string) => new Refused('not_found', `${what} not found`);
export const conflict = (code: RefusalStatus, message: string, extra?: Record<string, unknown>) => new Refused(code, message, { extra });
export const refused = (
  code: RefusalStatus,
  message: string,
  options?: { path?: string; errors?: Violation[]; extra?: Record<string, unknown> },
) => new Refused(code, message, options);
export const forbidden = (message = 'this role may not do that') => new Refused('forbidden', message);
export const unauthorized = (message = 'a valid API key is required: Authorization: Bearer <key>') => new Refused('unauthorized', message);

/** The problem `title` of each HTTP status (the OpenAPI examples use the same). */
export const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  405: 'Method not allowed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function problemBody(status: number, code: string, detail: string, errors?: Violation[], extra?: Record<string, unknown>) {
  return {
    type: `/problems/${code}`,
    title: PROBLEM_TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(errors && errors.length ? { errors } : {}),
    ...(extra ?? {}),
  };
}

export function sendProblem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  errors?: Violation[],
  extra?: Record<string, unknown>,
) {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(status, code, detail, errors, extra)));
}

export { zodViolations } from '../schemas/violations.js';

/** How long a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

const OUTAGE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const OUTAGE_MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end',
];

/**
 * Whether an error (or one it wraps) says the database could not be reached or went away mid-request
 * (restart, failover, network): SQLSTATE class 08 and 57P01–57P03, refused or reset connections, the
 * pool's connection timeout. Such a request may be retried; it is not a bug of ours.
 */
export function isDatabaseOutage(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
      if (OUTAGE_NODE_CODES.has(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && OUTAGE_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

/** The one place that turns errors into responses. Unknown errors are bugs: logged, answered 500. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof Refused) {
    const p = problemOf(err.refusal);
    return sendProblem(res, p.http, p.code, p.detail, p.errors, p.extra);
  }
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return sendProblem(res, 400, 'malformed_json', 'the request body is not valid JSON');
  if (type === 'entity.too.large') return sendProblem(res, 413, 'payload_too_large', 'the request body is too large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return sendProblem(res, 415, 'unsupported_encoding', String(err.message));
  if (status && status >= 400 && status < 500) return sendProblem(res, status, 'bad_request', String(err.message));
  // text PostgreSQL cannot store (e.g. NUL) in a field no schema rule caught: the client's input, not our bug
  const pgCode = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (pgCode === '22021' || pgCode === '22P05')
    return sendProblem(res, 422, 'invalid_character', 'a text field holds a character that cannot be stored (such as NUL)');
  if (isDatabaseOutage(err)) {
    (req as { log?: { warn: (o: unknown, m: string) => void } }).log?.warn({ err }, 'database unavailable');
    res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    const p = problemOf(new Refused('database_unavailable', 'the database cannot be reached right now; retry after a moment').refusal);
    return sendProblem(res, p.http, p.code, p.detail);
  }
  (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error({ err }, 'unhandled error');
  sendProblem(res, 500, 'internal_error', 'an unexpected error occurred; it has been logged with the request id');
};
