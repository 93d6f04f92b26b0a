import { z } from 'zod';

export const SigningKey = z
  .object({
    kid: z.string().meta({ description: 'key id: ed25519- and the first 16 hex digits of the SHA-256 of the public key (DER)' }),
    alg: z.literal('Ed25519'),
    publicKeyPem: z.string().meta({ description: 'SubjectPublicKeyInfo PEM' }),
    createdAt: z.string(),
    retiredAt: z.string().nullable(),
    inUse: z.boolean(),
  })
  .meta({ id: 'SigningKey' });

export const SigningKeys = z
  .object({
    keys: z.array(SigningKey),
    howToVerify: z.string(),
  })
  .meta({ id: 'SigningKeys' });

export const RotatedKey = z.object({ kid: z.string(), retired: z.string().nullable() });
