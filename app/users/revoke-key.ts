/**
 * Revokes an API key: from the commit on, it answers 401 on every service process (each request reads
 * the key's row). Revoking a revoked key changes nothing and answers it as it stands.
 */
import { findKeyForUpdate, updateKey } from '../../db/repositories/keys.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { keyView, manageableUser, type KeyView } from './keys-common.js';

export async function revokeKey(ctx: ActorContext, input: { keyId: string }): Promise<KeyView> {
  const key = (await findKeyForUpdate(ctx.tx, input.keyId)) ?? refuse('not_found', `key ${input.keyId} not found`);
  await manageableUser(ctx, key.userId, 'revoke');
  if (key.revokedAt) return keyView(key);
  return keyView(await updateKey(ctx.tx, key.id, { revokedAt: ctx.now, revokedBy: ctx.actor.userId }));
}
