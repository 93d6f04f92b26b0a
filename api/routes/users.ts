/**
 * Users and their API keys: list (operators every institution's, admins their own), create, revoke and
 * rotate keys. Who may manage whose keys is `domain/keys.ts`; the stories are in `app/users/`.
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { createKey } from '../../app/users/create-key.js';
import { revokeKey } from '../../app/users/revoke-key.js';
import { rotateKey } from '../../app/users/rotate-key.js';
import { listUsersWithKeys } from '../../db/read-models/users.js';
import { mayListUsersOf } from '../../domain/keys.js';
import { decodeCursor, encodeCursor, isUuid, pageOf, Problem } from '../../schemas/common.js';
import { ApiKey, ApiKeyWithSecret, CreateKeyBody, RotateKeyBody, RotatedKey, UserListQuery, UserWithKeys } from '../../schemas/users.js';
import { actorOf } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { forbidden, notFound, refused } from '../errors.js';
import { listedInstitutionId } from './listed-institution.js';
import { describe } from '../openapi.js';
import { presentUser } from '../presenters/users.js';
import { parseOrThrow } from '../validate.js';

const ALL = ['operator', 'bank', 'verifier'] as const;

describe({
  method: 'get',
  path: '/api/v1/users',
  operationId: 'listUsers',
  tag: 'users',
  roles: [...ALL],
  summary: "Users with their keys: operators see every institution's (filter `institution`), admins of a bank or verifier their own",
  query: UserListQuery,
  responses: { 200: pageOf(UserWithKeys), 403: Problem, 422: Problem },
});
describe({
  method: 'post',
  path: '/api/v1/users/:id/keys',
  operationId: 'createApiKey',
  tag: 'users',
  roles: [...ALL],
  summary:
    "Another API key for a user (shown once): by the user itself, an admin of its institution, or an operator (not for another operator's user)",
  body: CreateKeyBody,
  responses: { 201: ApiKeyWithSecret, 403: Problem, 404: Problem, 422: Problem },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/keys/:keyId/revoke',
  operationId: 'revokeApiKey',
  tag: 'users',
  roles: [...ALL],
  summary: 'Revoke an API key: it answers 401 at once on every service process',
  responses: { 200: ApiKey, 403: Problem, 404: Problem },
  idempotent: true,
});
describe({
  method: 'post',
  path: '/api/v1/keys/:keyId/rotate',
  operationId: 'rotateApiKey',
  tag: 'users',
  roles: [...ALL],
  summary: 'Rotate an API key: a new key (shown once); the old one keeps working for the grace period chosen (at most 7 days)',
  body: RotateKeyBody,
  responses: { 201: RotatedKey, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
  idempotent: true,
});

const uuidParam = (value: unknown, what: string) => {
  const text = String(value);
  if (!isUuid(text)) throw notFound(what);
  return text;
};

export function userRoutes({ database, now }: AppDeps): Router {
  const { db } = database;
  const router = Router();

  router.get('/users', async (req, res) => {
    const actor = actorOf(res);
    const q = parseOrThrow(UserListQuery, req.query);
    if (actor.role !== 'operator' && q.institution && q.institution !== actor.institutionCode) {
      throw forbidden('an admin lists the users of its own institution only');
    }
    const institutionId = await listedInstitutionId(db, actor, q.institution);
    if (!mayListUsersOf(actor, institutionId ?? '')) throw forbidden("only an institution's admins (and operators) list its users");
    const cursor = decodeCursor(q.cursor);
    const after = cursor?.[0];
    if (q.cursor !== undefined && (cursor?.length !== 1 || typeof after !== 'string' || !isUuid(after))) {
      throw refused('invalid_cursor', 'the cursor is not one this list gave', { path: 'cursor' });
    }
    const rows = await listUsersWithKeys(db, { institutionId, afterId: after as string | undefined, limit: q.limit });
    const page = rows.slice(0, q.limit);
    res.json({ items: page.map(presentUser), nextCursor: rows.length > q.limit ? encodeCursor([page[page.length - 1].id]) : null });
  });

  router.post('/users/:id/keys', async (req, res) => {
    const actor = actorOf(res);
    const userId = uuidParam(req.params.id, `user ${req.params.id}`);
    const body = parseOrThrow(CreateKeyBody, req.body ?? {});
    const key = await perform(db, { now: now(), actor }, (ctx) =>
      createKey(ctx, {
        userId,
        label: body.label,
        readOnly: body.readOnly,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      }),
    );
    res.status(201).json(key);
  });

  router.post('/keys/:keyId/revoke', async (req, res) => {
    const actor = actorOf(res);
    const keyId = uuidParam(req.params.keyId, `key ${req.params.keyId}`);
    const key = await perform(db, { now: now(), actor }, (ctx) => revokeKey(ctx, { keyId }));
    res.json(key);
  });

  router.post('/keys/:keyId/rotate', async (req, res) => {
    const actor = actorOf(res);
    const keyId = uuidParam(req.params.keyId, `key ${req.params.keyId}`);
    const body = parseOrThrow(RotateKeyBody, req.body);
    const rotated = await perform(db, { now: now(), actor }, (ctx) =>
      rotateKey(ctx, {
        keyId,
        gracePeriodSeconds: body.gracePeriodSeconds,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined,
      }),
    );
    res.status(201).json(rotated);
  });

  return router;
}
