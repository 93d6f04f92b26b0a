/**
 * The public keys that sign published disclosures (`/.well-known/cerf-signing-keys.json`, also under
 * /api/v1/signing-keys) and their rotation by an operator. Old keys stay listed, retired.
 */
import { perform } from '../../app/perform.js';
import { Router } from 'express';
import { rotateSigningKey, signingKeys } from '../../app/disclosures/sign-publication.js';
import { actorOf, requireRole } from '../auth.js';
import type { AppDeps } from '../../process/context.js';
import { describe } from '../openapi.js';
import { RotatedKey, SigningKeys } from '../../schemas/signing-keys.js';
import type { SigningKeyRow } from '../../db/repositories/signing.js';

export const WELL_KNOWN_KEYS = '/.well-known/cerf-signing-keys.json';

describe({
  method: 'get',
  path: '/api/v1/signing-keys',
  operationId: 'listSigningKeys',
  tag: 'disclosures',
  roles: [],
  summary: `The Ed25519 public keys that sign published disclosures, the one in use and the retired ones (also at ${WELL_KNOWN_KEYS})`,
  responses: { 200: SigningKeys },
});
describe({
  method: 'get',
  path: WELL_KNOWN_KEYS,
  tag: 'public',
  roles: [],
  operationId: 'getWellKnownSigningKeys',
  summary:
    'The Ed25519 public keys that sign published disclosures, each with its kid and PEM (the same document as GET /api/v1/signing-keys)',
  responses: { 200: SigningKeys },
});
describe({
  method: 'post',
  path: '/api/v1/signing-keys/rotate',
  operationId: 'rotateSigningKey',
  tag: 'disclosures',
  roles: ['operator'],
  summary: 'Retire the signing key in use and sign from now on with a new generated one (409 when the key is configured by file)',
  responses: { 200: RotatedKey },
  idempotent: true,
});

const presentKey = (k: SigningKeyRow) => ({
  kid: k.kid,
  alg: 'Ed25519' as const,
  publicKeyPem: k.publicPem,
  createdAt: k.createdAt.toISOString(),
  retiredAt: k.retiredAt?.toISOString() ?? null,
  inUse: !k.retiredAt,
});

const HOW_TO_VERIFY =
  'GET /disclosures/{bank}/{quarter}/v/{version}.json and the same URL + .sig (base64); the Cerf-Signing-Key header names the kid. ' +
  'openssl base64 -d -A -in file.json.sig -out sig.bin; openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in file.json -sigfile sig.bin';

export function signingKeyRoutes(deps: AppDeps): Router {
  const router = Router();
  const db = deps.database.db;
  const list = async (_req: unknown, res: import('express').Response) => {
    const keys = await perform(db, { now: deps.now(), actor: null }, (ctx) => signingKeys(ctx));
    res.set('Cache-Control', 'no-cache').json({ keys: keys.map(presentKey), howToVerify: HOW_TO_VERIFY });
  };
  router.get(WELL_KNOWN_KEYS, list);
  router.get('/api/v1/signing-keys', list);
  router.post('/api/v1/signing-keys/rotate', requireRole('operator'), async (_req, res) => {
    const actor = actorOf(res);
    res.json(await perform(db, { now: deps.now(), actor }, (ctx) => rotateSigningKey(ctx)));
  });
  return router;
}
