/**
 * API keys: random, shown once, stored only as SHA-256 (table `api_keys`, any number per user). Every
 * request reads its key's row, so a revoked or expired key answers 401 at once on every process; the
 * key's last use (time and address) is written at most once a minute. A read-only key is refused on
 * every write. Roles are enforced per route by `requireRole`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Acting } from '../app/perform.js';
import type { Db } from '../db/client.js';
import { findLiveKey, touchKey } from '../db/repositories/keys.js';
import { sha256Hex } from '../platform/credentials.js';
import type { Actor, AppDeps, Role } from '../process/context.js';
import { forbidden, refused, unauthorized } from './errors.js';

/** how often a key's last use is written (a busy key costs one write a minute) */
export const KEY_LAST_USED_EVERY_SECONDS = 60;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The actor behind a live key at `now` (with the key's id and read-only flag), or null. */
export async function findActorByKey(db: Db, apiKey: string, now: Date): Promise<Actor | null> {
  const found = await findLiveKey(db, sha256Hex(apiKey), now);
  return found ? { ...found.actor, keyId: found.key.id, readOnly: found.key.readOnly } : null;
}

/** Reads `Authorization: Bearer <key>` when present; routes decide whether an actor is required. Never reads the body. */
export function authenticate(deps: Pick<AppDeps, 'database' | 'now'>): RequestHandler {
  const db = deps.database.db;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get('authorization');
      if (!header) return next();
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) return next(unauthorized('the Authorization header must be "Bearer <api key>"'));
      const now = deps.now();
      const found = await findLiveKey(db, sha256Hex(match[1]), now);
      if (!found) return next(unauthorized('the API key is unknown, revoked or expired'));
      const actor: Actor = { ...found.actor, keyId: found.key.id, readOnly: found.key.readOnly };
      res.locals.actor = actor;
      // the key's id in the audit trail
      res.locals.apiKeyId = found.key.id;
      const last = found.key.lastUsedAt;
      if (!last || now.getTime() - last.getTime() >= KEY_LAST_USED_EVERY_SECONDS * 1000) {
        await touchKey(db, found.key.id, now, req.ip ?? null, KEY_LAST_USED_EVERY_SECONDS);
      }
      if (actor.readOnly && WRITE_METHODS.has(req.method) && req.path.startsWith('/api/')) {
        return next(refused('read_only_key', `key ${actor.keyId} is read-only: ${req.method} is a write`));
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The request's actor at the service's clock: who runs a use case from a route (`perform`, app/perform.ts). */
export const actingOf = (deps: Pick<AppDeps, 'now'>, res: Response): Acting<Actor> => ({ now: deps.now(), actor: actorOf(res) });

export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw unauthorized();
  return actor;
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const actor = res.locals.actor as Actor | undefined;
    if (!actor) return next(unauthorized());
    if (!roles.includes(actor.role)) return next(forbidden(`this needs the ${roles.join(' or ')} role; the key is a ${actor.role} key`));
    next();
  };
}
