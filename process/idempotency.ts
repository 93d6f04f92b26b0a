/**
 * `Idempotency-Key` on writes: the first request with a key claims it; a repeat with the same key and
 * body gets the first answer again; the same key with another body is 409; a repeat while the first
 * is still running is 409 too (retry later). A 5xx releases the key so the client may retry — unless
 * the request's write transaction committed: every transaction a claiming request runs marks the claim
 * (`write_committed`) inside itself, so the mark exists exactly when the write does. A committed write
 * whose answer was lost (the database went away during or after COMMIT) keeps its key, answered
 * `409 idempotency_key_committed`, and is never written twice. When the database cannot be reached to
 * settle a claim, settling is retried in the background until it can. A claim carries a lease,
 * renewed every 5 s while its request runs: a claim of a process that died is released 20 s after its
 * last renewal, so a retry with the same key answers within seconds.
 *
 * Secrets are never stored: an answer's API keys, webhook secrets and recovery codes are replaced by
 * null in the stored copy, which says they were shown once (`shownOnce`). Stored answers are replayed
 * for `IDEMPOTENCY_TTL_HOURS` (default 24); then the key is free again, and expired records are
 * deleted (each process sweeps at most every 10 minutes, before the write that finds the sweep due).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/client.js';
import {
  claimIdempotencyKey,
  deleteExpiredIdempotencyKey,
  deleteIdempotencyKeysBefore,
  findIdempotencyKey,
  isAbandonedClaim,
  markIdempotentWrite,
  recordIdempotentResponse,
  renewIdempotencyClaim,
  settleFailedClaim,
  type IdempotencyRow,
} from '../db/repositories/idempotency.js';
import { sha256Hex } from '../platform/credentials.js';
import type { Actor } from './context.js';
import { conflict, problemBody, refused } from '../api/errors.js';
import { problemOf } from '../api/problems.js';
import { Refused } from '../app/refusals.js';

const IN_PROGRESS = 0;
/** the body of a streamed request that was never read (or could not be) */
const UNREAD = 'unread';
/** settling a claim the database refused is retried after 1, 2, 4 … 30 s, for this long */
const SETTLE_RETRY_FOR_MS = 15 * 60_000;

/** The claim of the request being handled, for the transactions it runs. */
const claimOfRequest = new AsyncLocalStorage<{ userId: string; key: string }>();

/**
 * The database as the routes see it: a transaction run while handling a request that claimed an
 * Idempotency-Key first marks that claim, inside itself (read-only transactions excepted).
 */
export function markingIdempotentWrites(db: Db): Db {
  const marking = Object.create(db) as Db;
  marking.transaction = ((work: Parameters<Db['transaction']>[0], config?: Parameters<Db['transaction']>[1]) => {
    const claim = claimOfRequest.getStore();
    if (!claim || config?.accessMode === 'read only') return db.transaction(work, config);
    return db.transaction(async (tx) => {
      await markIdempotentWrite(tx, claim.userId, claim.key);
      return work(tx);
    }, config);
  }) as Db['transaction'];
  return marking;
}

const committedAnswer = () => {
  const p = problemOf(
    new Refused(
      'idempotency_key_committed',
      'the first request with this Idempotency-Key took effect, but its answer was lost while the database was unreachable; read the resource to see the result',
    ).refusal,
  );
  return { status: p.http, body: JSON.stringify(problemBody(p.http, p.code, p.detail)) };
};

/** Runs `attempt` now; when it fails, again after 1, 2, 4 … 30 s in the background until it succeeds or time is up. */
function settleWithRetries(attempt: () => Promise<void>, onGiveUp: (err: unknown) => void): Promise<void> {
  const deadline = Date.now() + SETTLE_RETRY_FOR_MS;
  const retry = (delayMs: number) => {
    const timer = setTimeout(() => {
      attempt().catch((err: unknown) => (Date.now() > deadline ? onGiveUp(err) : retry(Math.min(delayMs * 2, 30_000))));
    }, delayMs);
    timer.unref();
  };
  return attempt().catch((err: unknown) => {
    retry(1_000);
    throw err;
  });
}
/**
 * A claim's lease is renewed every RENEW_CLAIM_MS while its request runs; a claim not renewed for
 * STALE_CLAIM_MS (and held by no open transaction) belonged to a process that died and is released.
 */
const RENEW_CLAIM_MS = 5_000;
const STALE_CLAIM_MS = 20_000;
/** the longest a request renews its claim (a request still running after this is not waited for) */
const RENEW_AT_MOST_MS = 60 * 60_000;
/** claims of requests running in this process: never abandoned, whatever their lease says */
const claimsHere = new Set<string>();
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Fields of an answer that hold a secret shown once: never stored, never replayed. */
export const SECRET_FIELDS = new Set(['apiKey', 'secret', 'recoveryCodes']);
const SWEEP_EVERY_MS = 10 * 60_000;

/** The answer as stored for replays: every secret field null, and a note naming them. */
export function withoutSecrets(text: string): string {
  if (!text.startsWith('{') && !text.startsWith('[')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const removed: string[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}${path ? '.' : ''}${i}`));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => {
          const at = `${path}${path ? '.' : ''}${k}`;
          if (SECRET_FIELDS.has(k) && v !== null) {
            removed.push(at);
            return [k, null];
          }
          return [k, walk(v, at)];
        }),
      );
    }
    return value;
  };
  const redacted = walk(parsed, '');
  if (!removed.length) return text;
  const note = {
    fields: removed,
    message:
      'this is a replay: the secret was shown once, in the first answer, and is not stored; if it was lost, revoke it and create a new one',
  };
  return JSON.stringify(Array.isArray(redacted) ? redacted : { ...(redacted as object), shownOnce: note });
}

/**
 * A route whose body is not read before the route runs (a file streamed to the database as it
 * arrives): the route sets `req.bodySha256` once it has read the body, and that is recorded with the
 * answer; a repeat is read by `hash` to be compared (uploads compare fields and file bytes).
 */
export type StreamedBody = { pattern: RegExp; hash: (req: Request) => Promise<string> };

/** Renews the claim's lease until the returned function is called (or for RENEW_AT_MOST_MS). */
function renewWhileRunning(db: Db, userId: string, key: string): () => void {
  const id = `${userId}\n${key}`;
  claimsHere.add(id);
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - started > RENEW_AT_MOST_MS) return stop();
    renewIdempotencyClaim(db, userId, key, IN_PROGRESS).catch(() => undefined);
  }, RENEW_CLAIM_MS);
  timer.unref();
  function stop() {
    clearInterval(timer);
    claimsHere.delete(id);
  }
  return stop;
}

/** Ages are measured on the wall clock (a record's age is real time, whatever date the ledger is told it is). */
export function idempotency(db: Db, options: { ttlHours: number; streamedBodies?: StreamedBody[] }): RequestHandler {
  const ttlMs = options.ttlHours * 3600_000;
  let lastSweep = 0;
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    const actor = res.locals.actor as Actor | undefined;
    if (!key || !actor || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) return next();
    if (!KEY_PATTERN.test(key)) {
      return next(refused('invalid_idempotency_key', 'Idempotency-Key must be 1–200 visible ASCII characters'));
    }
    const path = req.originalUrl.split('?')[0];
    const streamed = options.streamedBodies?.find((s) => s.pattern.test(path));
    const bodyOf = () => (req as unknown as { bodySha256?: string }).bodySha256;
    // the same request is the same method, URL and body bytes (hashed as the body was read); a streamed
    // body is not read yet: its hash is recorded with the answer
    const requestSha256Of = (bodySha256: string) => sha256Hex(`${req.method} ${req.originalUrl}\n${bodySha256}`);
    let requestSha256 = requestSha256Of(streamed ? UNREAD : (bodyOf() ?? sha256Hex(JSON.stringify(req.body ?? null))));
    const now = new Date();
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now.getTime();
      await deleteIdempotencyKeysBefore(db, new Date(now.getTime() - ttlMs)).catch((err: unknown) =>
        (req as { log?: { warn: (o: unknown, m: string) => void } }).log?.warn({ err }, 'could not delete expired idempotency records'),
      );
    }
    const claim = () =>
      claimIdempotencyKey(db, {
        userId: actor.userId,
        key,
        method: req.method,
        path,
        requestSha256,
        inProgressStatus: IN_PROGRESS,
      });
    let claimed = await claim();
    // an answer stored longer ago than the TTL is no longer replayed: the key is free again
    if (!claimed && (await deleteExpiredIdempotencyKey(db, actor.userId, key, new Date(now.getTime() - ttlMs)))) claimed = await claim();
    if (!claimed) {
      let stored: IdempotencyRow | null = await findIdempotencyKey(db, actor.userId, key);
      if (!stored)
        return next(conflict('idempotency_key_in_use', 'this Idempotency-Key is being used by a request in progress; retry shortly'));
      if (stored.responseStatus === IN_PROGRESS) {
        // a claim left by a process that died mid-request is settled once its lease ran out, so the key is not lost
        const abandoned =
          !claimsHere.has(`${actor.userId}\n${key}`) && (await isAbandonedClaim(db, actor.userId, key, IN_PROGRESS, STALE_CLAIM_MS / 1000));
        if (!abandoned)
          return next(
            conflict('idempotency_key_in_use', 'the first request with this Idempotency-Key is still in progress; retry shortly'),
          );
        const committed = committedAnswer();
        await settleFailedClaim(db, {
          userId: actor.userId,
          key,
          inProgressStatus: IN_PROGRESS,
          committedStatus: committed.status,
          committedBody: committed.body,
        });
        stored = await findIdempotencyKey(db, actor.userId, key);
        if (!stored || stored.responseStatus === IN_PROGRESS)
          return next(
            conflict(
              'idempotency_key_in_use',
              'an earlier attempt with this Idempotency-Key was interrupted; it has been released, retry now',
            ),
          );
      }
      // a repeat of a streamed request is read (not stored) to be compared with the first
      if (streamed) requestSha256 = requestSha256Of(await streamed.hash(req).catch(() => UNREAD));
      if (stored.requestSha256 !== requestSha256) {
        return next(
          conflict(
            'idempotency_key_reused',
            'this Idempotency-Key was already used with a different request; use a new key for a new request',
          ),
        );
      }
      res.setHeader('Idempotent-Replayed', 'true');
      // answers stored before problem types became relative (`/problems/<code>`) kept the absolute form
      const contentType = /^\{"type":"(https:\/\/cerf-ledger\.dev)?\/problems\//.test(stored.responseBody)
        ? 'application/problem+json'
        : 'application/json';
      return res.status(stored.responseStatus).type(contentType).send(stored.responseBody);
    }
    const stopRenewing = renewWhileRunning(db, actor.userId, key);
    res.once('finish', stopRenewing);
    const originalSend = res.send.bind(res);
    let recorded = false;
    res.send = ((body?: unknown) => {
      if (recorded) return originalSend(body as never);
      recorded = true;
      stopRenewing();
      const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body ?? null);
      const status = res.statusCode;
      const committed = committedAnswer();
      const log = (req as { log?: { error: (o: unknown, m: string) => void; warn: (o: unknown, m: string) => void } }).log;
      const settle = settleWithRetries(
        () =>
          status >= 500
            ? settleFailedClaim(db, {
                userId: actor.userId,
                key,
                inProgressStatus: IN_PROGRESS,
                committedStatus: committed.status,
                committedBody: committed.body,
              })
            : recordIdempotentResponse(db, {
                userId: actor.userId,
                key,
                status,
                body: withoutSecrets(text),
                inProgressStatus: IN_PROGRESS,
                requestSha256: streamed ? requestSha256Of(bodyOf() ?? UNREAD) : undefined,
              }),
        (err) => log?.error({ err, idempotencyKey: key }, 'gave up settling an Idempotency-Key; it is settled when retried'),
      );
      settle.then(
        () => originalSend(body as never),
        (err: unknown) => {
          log?.warn({ err }, 'could not settle the Idempotency-Key yet; retrying in the background');
          originalSend(body as never);
        },
      );
      return res;
    }) as Response['send'];
    claimOfRequest.run({ userId: actor.userId, key }, () => next());
  };
}
