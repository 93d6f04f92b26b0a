/**
 * Limits at the API's door, checked before any body is read:
 * - an anonymous write is refused (401) without reading its body (authentication comes first);
 * - requests a minute per API key (`API_RATE_LIMIT_PER_KEY`, default 1,200) and per client address
 *   (`API_RATE_LIMIT_PER_ADDRESS`, default 6,000), counted in Redis so every service process shares
 *   them (in memory, per process, when no Redis is given; and while Redis is unreachable), answered
 *   429 with `Retry-After` and a problem body;
 * - body sizes per route (`bodyLimitOf`): a 10,000-loan batch fits, 50 MB never does (413): refused
 *   unread when its length is announced, and as soon as the limit is passed when it is sent chunked
 *   (the connection is closed then, the rest never read).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Actor } from './context.js';
import { sendProblem } from '../api/errors.js';
import { UPLOAD_MAX_BYTES } from '../app/uploads/receive-upload.js';
import { EVIDENCE_MAX_BYTES } from '../domain/verification/evidence.js';

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Body limits by route, the first match wins; everything else under /api takes the default. */
const MB = 1024 * 1024;
/** POST /api/v1/uploads: a file streamed to the database as it arrives (its body is read by the route) */
export const UPLOAD_ROUTE = /^\/api\/v1\/uploads\/?$/;
/** PUT/POST /api/v1/evidence/:sha256: a raw body the route reads and counts itself */
const EVIDENCE_ROUTE = /^\/api\/v1\/evidence\/[^/]+\/?$/;
export const BODY_LIMITS: { pattern: RegExp; limit: number }[] = [
  { pattern: /^\/api\/v1\/imports\/?$/, limit: 128 * MB }, // a bank's history in one document: about 100,000 loans with their records
  { pattern: /^\/api\/v1\/loans\/batch\/?$/, limit: 32 * MB }, // 10,000 loans are 5–10 MB
  { pattern: EVIDENCE_ROUTE, limit: EVIDENCE_MAX_BYTES }, // a project's evidence file, sent as the raw body
  { pattern: UPLOAD_ROUTE, limit: UPLOAD_MAX_BYTES }, // a core-banking export, streamed to the database as it arrives
];
export const DEFAULT_API_BODY_LIMIT = 2 * MB; // an application listing 10,000 loan references is about 1 MB
export const PAGE_FORM_LIMIT = 1 * MB;

export const bodyLimitOf = (path: string) => BODY_LIMITS.find((r) => r.pattern.test(path))?.limit ?? DEFAULT_API_BODY_LIMIT;

/** A body announced larger than the route takes is refused 413 at once, unread (the parser would drain it first). */
export function announcedBodyLimit(): RequestHandler {
  return (req, res, next) => {
    const limit = bodyLimitOf(req.originalUrl.split('?')[0]);
    const length = Number(req.get('content-length') ?? 0);
    if (!(length > limit)) return next();
    refuseUnread(req, res, 413, 'payload_too_large', `the request body (${length} bytes) is larger than this route takes (${limit} bytes)`);
  };
}

/**
 * A body sent without its length (chunked) is counted as it arrives: the moment it passes the route's
 * limit it is answered 413 and the connection closed, instead of being read to its end first (which the
 * JSON parser does before it answers). The upload and evidence routes count their own bodies.
 */
export function chunkedBodyLimit(): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    if (
      req.get('content-length') !== undefined ||
      req.get('transfer-encoding') === undefined ||
      UPLOAD_ROUTE.test(path) ||
      EVIDENCE_ROUTE.test(path)
    )
      return next();
    const limit = bodyLimitOf(path);
    let received = 0;
    let refused = false;
    // the chunks are counted as whoever reads the body receives them ('data' is emitted for each, in
    // flowing and paused mode alike); listening would start the flow before the reader is there
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && !refused) {
        received += (args[0] as Buffer).length;
        if (received > limit) {
          refused = true;
          if (res.headersSent) req.socket?.destroy();
          else {
            res.once('finish', () => req.socket?.destroy());
            refuseUnread(req, res, 413, 'payload_too_large', `the request body is larger than this route takes (${limit} bytes)`);
          }
          return true;
        }
      }
      return emit(event, ...args);
    }) as typeof req.emit;
    next();
  };
}

/** Does the request carry a body (announced by its length or by chunked transfer)? */
const hasBody = (req: Request) => Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;

/**
 * Refuses an answer without reading the body: the connection is closed after it, so a large body is
 * never read into memory.
 */
function refuseUnread(req: Request, res: Response, status: number, code: string, detail: string, headers: Record<string, string> = {}) {
  if (hasBody(req)) res.setHeader('Connection', 'close');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendProblem(res, status, code, detail);
}

/** An anonymous write under /api is refused before its body is read: every API write needs a key. */
export function authenticateBeforeBody(): RequestHandler {
  return (req, res, next) => {
    if (!WRITE_METHODS.has(req.method) || res.locals.actor) return next();
    refuseUnread(req, res, 401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
  };
}

export type RateLimitOptions = { perKey: number; perAddress: number; redis?: Redis; prefix?: string };

function limiter(points: number, name: string, options: RateLimitOptions): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: `${options.prefix ?? 'cerf'}:${name}` });
  if (!options.redis) return memory;
  return new RateLimiterRedis({
    storeClient: options.redis,
    points,
    duration: 60,
    keyPrefix: `${options.prefix ?? 'cerf'}:rl:${name}`,
    // never wait for an unreachable Redis: count in this process meanwhile
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/** The per-key and per-address limits of the API. */
export function apiRateLimit(options: RateLimitOptions): RequestHandler {
  const perKey = limiter(options.perKey, 'key', options);
  const perAddress = limiter(options.perAddress, 'addr', options);
  return async (req: Request, res: Response, next: NextFunction) => {
    const actor = res.locals.actor as Actor | undefined;
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    try {
      await perAddress.consume(address);
      if (actor) {
        const used = await perKey.consume(actor.keyId ?? `user:${actor.userId}`);
        res.setHeader('RateLimit-Limit', String(options.perKey));
        res.setHeader('RateLimit-Remaining', String(used.remainingPoints));
      }
      next();
    } catch (err) {
      const rejected = err as RateLimiterRes;
      if (typeof rejected?.msBeforeNext !== 'number') return next(err);
      const seconds = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
      const which = actor ? `this API key (${options.perKey} requests a minute)` : `this address (${options.perAddress} requests a minute)`;
      refuseUnread(req, res, 429, 'rate_limited', `too many requests from ${which}; retry after ${seconds} s`, {
        'Retry-After': String(seconds),
      });
    }
  };
}
