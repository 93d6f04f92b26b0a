import { z } from 'zod';
import { PageQuery } from './common.js';

const Instant = z.iso.datetime({ offset: true }).describe('an instant, ISO 8601 with offset');

export const ApiKey = z
  .object({
    id: z.string().uuid(),
    userId: z.string().uuid(),
    label: z.string().nullable(),
    readOnly: z.boolean().describe('every write with this key answers 403 read_only_key'),
    createdAt: z.string(),
    expiresAt: z.string().nullable().describe('from this instant the key answers 401'),
    revokedAt: z.string().nullable(),
    rotatedFrom: z.string().nullable().describe('the key this one replaced'),
    lastUsedAt: z.string().nullable().describe('recorded at most once a minute'),
    lastUsedAddress: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyWithSecret = ApiKey.extend({
  apiKey: z.string().nullable().describe('shown once; a replay of the answer (Idempotency-Key) carries null'),
}).meta({ id: 'ApiKeyWithSecret', description: 'the API key is shown once and stored only as a hash' });

export const UserWithKeys = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: z.enum(['operator', 'bank', 'verifier']),
    admin: z.boolean().describe("manages its own institution's users and keys"),
    institution: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    hasPassword: z.boolean(),
    keyIds: z.array(z.string().uuid()),
    keys: z.array(ApiKey.omit({ userId: true })),
  })
  .meta({ id: 'UserWithKeys' });

export const UserListQuery = PageQuery.extend({
  institution: z.string().max(32).optional().describe('operators: the users of one institution (by code)'),
}).strict();

export const CreateKeyBody = z
  .object({
    label: z.string().min(1).max(200).optional(),
    readOnly: z.boolean().optional(),
    expiresAt: Instant.optional(),
  })
  .strict()
  .meta({ id: 'CreateKey' });

export const RotateKeyBody = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .describe('how long the old key keeps working: at most 604800 (7 days), else 422 rotation_grace_too_long'),
    expiresAt: Instant.optional().describe('expiry of the new key'),
  })
  .strict()
  .meta({ id: 'RotateKey' });

export const RotatedKey = z
  .object({ key: ApiKeyWithSecret, previous: ApiKey })
  .meta({ id: 'RotatedKey', description: 'the new key (shown once) and the old one with its expiry at the end of the grace period' });
