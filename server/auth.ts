/** API keys: random, shown once, stored only as SHA-256. Roles are enforced per route by `requireRole`. */
import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { institutions, users } from '../db/schema/index.js';
import type { Actor, Role } from './context.js';
import { forbidden, unauthorized } from './errors.js';

export const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** 'cerf_' + 32 random bytes in base64url: 256 bits, so a plain SHA-256 is enough to store it. */
export const generateApiKey = () => `cerf_${randomBytes(32).toString('base64url')}`;

/** The columns of an Actor, for any query that joins users and institutions. */
export const actorColumns = {
  userId: users.id,
  userName: users.name,
  role: users.role,
  institutionId: institutions.id,
  institutionCode: institutions.code,
};

export async function findActorByKey(db: Db, apiKey: string): Promise<Actor | null> {
  const rows = await db
    .select(actorColumns)
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(and(eq(users.apiKeySha256, sha256Hex(apiKey)), isNull(users.revokedAt)))
    .limit(1);
  return rows[0] ?? null;
}

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
