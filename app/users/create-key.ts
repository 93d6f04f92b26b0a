/**
 * Another API key for a user (shown once, stored as SHA-256), optionally read-only, labelled, with an
 * expiry. Refuses `not_found` / `forbidden` (see keys-common), `expiry_not_in_future`.
 */
import { insertApiKey } from '../../db/repositories/keys.js';
import { generateApiKey, sha256Hex } from '../../platform/credentials.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { checkExpiry, keyView, manageableUser, type KeyView } from './keys-common.js';

export async function createKey(
  ctx: ActorContext,
  input: { userId: string; label?: string; readOnly?: boolean; expiresAt?: Date },
): Promise<KeyView & { apiKey: string }> {
  const user = await manageableUser(ctx, input.userId, 'create');
  if (user.revokedAt) refuse('forbidden', `user ${user.id} is revoked`);
  checkExpiry(ctx.now, input.expiresAt);
  const apiKey = generateApiKey();
  const row = await insertApiKey(ctx.tx, {
    userId: user.id,
    sha256: sha256Hex(apiKey),
    label: input.label,
    readOnly: input.readOnly,
    expiresAt: input.expiresAt,
    createdBy: ctx.actor.userId,
    createdAt: ctx.now,
  });
  return { ...keyView(row), apiKey };
}
