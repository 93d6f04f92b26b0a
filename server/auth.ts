/** API keys: random, shown once, stored only as SHA-256. Roles are enforced per route by `requireRole`. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/client.js';
import { findActorByKeyHash } from '../db/repositories/actors.js';
import { sha256Hex } from '../platform/credentials.js';
import type { Actor, Role } from './context.js';
import { forbidden, unauthorized } from './errors.js';

export const findActorByKey = (db: Db, apiKey: string): Promise<Actor | null> => findActorByKeyHash(db, sha256Hex(apiKey));

/** Reads `Authorization: Bearer <key>` when present; routes decide whether an actor is required. */
export function authenticate(db: Db): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return next(unauthorized('the Authorization header must be "Bearer <api key>"'));
    const actor = await findActorByKey(db, match[1]);
    if (!actor) return next(unauthorized('the API key is unknown or revoked'));
    res.locals.actor = actor;
    // the key's id in the audit trail: a prefix of its hash (the key itself is never stored)
    res.locals.apiKeyId = sha256Hex(match[1]).slice(0, 12);
    next();
  };
}

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
