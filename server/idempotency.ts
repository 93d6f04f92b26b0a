/**
 * `Idempotency-Key` on writes: the first request with a key claims it; a repeat with the same key and
 * body gets the first answer again; the same key with another body is 409; a repeat while the first
 * is still running is 409 too (retry later). A 5xx releases the key so the client may retry.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/client.js';
import {
  claimIdempotencyKey,
  deleteIdempotencyKey,
  findIdempotencyKey,
  recordIdempotentResponse,
  releaseIdempotencyClaim,
} from '../db/repositories/idempotency.js';
import { sha256Hex } from '../platform/credentials.js';
import type { Actor } from './context.js';
import { conflict, refused } from './errors.js';

const IN_PROGRESS = 0;
/** a request still claiming its key after this long belonged to a process that died */
const STALE_CLAIM_MS = 5 * 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export function idempotency(db: Db): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    const actor = res.locals.actor as Actor | undefined;
    if (!key || !actor || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) return next();
    if (!KEY_PATTERN.test(key)) {
      return next(refused('invalid_idempotency_key', 'Idempotency-Key must be 1–200 visible ASCII characters'));
    }
    const path = req.originalUrl.split('?')[0];
    // the same request is the same method, URL and body bytes (hashed as the body was read)
    const bodySha256 = (req as unknown as { bodySha256?: string }).bodySha256 ?? sha256Hex(JSON.stringify(req.body ?? null));
    const requestSha256 = sha256Hex(`${req.method} ${req.originalUrl}\n${bodySha256}`);
    const claimed = await claimIdempotencyKey(db, {
      userId: actor.userId,
      key,
      method: req.method,
      path,
      requestSha256,
      inProgressStatus: IN_PROGRESS,
    });
    if (!claimed) {
      const stored = await findIdempotencyKey(db, actor.userId, key);
      if (!stored)
        return next(conflict('idempotency_key_in_use', 'this Idempotency-Key is being used by a request in progress; retry shortly'));
      if (stored.responseStatus === IN_PROGRESS) {
        // a claim left by a process that died mid-request is released after a while, so the key is not lost
        if (Date.now() - stored.createdAt.getTime() > STALE_CLAIM_MS) {
          await releaseIdempotencyClaim(db, actor.userId, key, IN_PROGRESS);
          return next(
            conflict(
              'idempotency_key_in_use',
              'an earlier attempt with this Idempotency-Key was interrupted; it has been released, retry now',
            ),
          );
        }
        return next(conflict('idempotency_key_in_use', 'the first request with this Idempotency-Key is still in progress; retry shortly'));
      }
      if (stored.requestSha256 !== requestSha256) {
        return next(
          conflict(
            'idempotency_key_reused',
            'this Idempotency-Key was already used with a different request; use a new key for a new request',
          ),
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      const contentType = stored.responseBody.startsWith('{"type":"https://cerf-ledger.dev/problems/')
        ? 'application/problem+json'
        : 'application/json';
      return res.status(stored.responseStatus).type(contentType).send(stored.responseBody);
    }
    const originalSend = res.send.bind(res);
    let recorded = false;
    res.send = ((body?: unknown) => {
      if (recorded) return originalSend(body as never);
      recorded = true;
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body ?? null);
      const settle =
        res.statusCode >= 500
          ? deleteIdempotencyKey(db, actor.userId, key)
          : recordIdempotentResponse(db, actor.userId, key, res.statusCode, text);
      settle.then(
        () => originalSend(body as never),
        (err: unknown) => {
          (req as { log?: { error: (o: unknown, m: string) => void } }).log?.error({ err }, 'could not record idempotent response');
          originalSend(body as never);
        },
      );
      return res;
    }) as Response['send'];
    next();
  };
}
