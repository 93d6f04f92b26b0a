/**
 * Rotates an API key: a new key (shown once) with the old one's label and read-only flag, and the old
 * key expiring at the end of the grace period the caller chose (0 … 7 days; never later than its own
 * expiry). Refuses `rotation_grace_too_long`, `key_not_active` (revoked or expired),
 * `key_already_rotated`, `expiry_not_in_future` (of the new key), `not_found` / `forbidden`.
 */
import { findKeyForUpdate, insertApiKey, keyRotatedFrom, updateKey } from '../../db/repositories/keys.js';
import { KEY_ROTATION_GRACE_MAX_SECONDS } from '../../domain/keys.js';
import { generateApiKey, sha256Hex } from '../../platform/credentials.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';
import { checkExpiry, keyView, manageableUser, type KeyView } from './keys-common.js';

export async function rotateKey(
  ctx: ActorContext,
  input: { keyId: string; gracePeriodSeconds: number; expiresAt?: Date },
): Promise<{ key: KeyView & { apiKey: string }; previous: KeyView }> {
  const old = (await findKeyForUpdate(ctx.tx, input.keyId)) ?? refuse('not_found', `key ${input.keyId} not found`);
  await manageableUser(ctx, old.userId, 'create');
  if (input.gracePeriodSeconds > KEY_ROTATION_GRACE_MAX_SECONDS) {
    refuse(
      'rotation_grace_too_long',
      `the grace period is at most 7 days (${KEY_ROTATION_GRACE_MAX_SECONDS} seconds); ${input.gracePeriodSeconds} was asked`,
      { path: 'gracePeriodSeconds' },
    );
  }
  if (old.revokedAt || (old.expiresAt && old.expiresAt.getTime() <= ctx.now.getTime())) {
    refuse('key_not_active', `key ${old.id} is ${old.revokedAt ? 'revoked' : 'expired'}; create a new key instead`);
  }
  const successor = await keyRotatedFrom(ctx.tx, old.id);
  if (successor)
    refuse('key_already_rotated', `key ${old.id} was already rotated to key ${successor.id}`, { extra: { keyId: successor.id } });
  checkExpiry(ctx.now, input.expiresAt);
  const graceEnds = new Date(ctx.now.getTime() + input.gracePeriodSeconds * 1000);
  const oldExpiry = old.expiresAt && old.expiresAt < graceEnds ? old.expiresAt : graceEnds;
  const apiKey = generateApiKey();
  const created = await insertApiKey(ctx.tx, {
    userId: old.userId,
    sha256: sha256Hex(apiKey),
    label: old.label,
    readOnly: old.readOnly,
    expiresAt: input.expiresAt,
    createdBy: ctx.actor.userId,
    rotatedFrom: old.id,
    createdAt: ctx.now,
  });
  const previous = await updateKey(ctx.tx, old.id, { expiresAt: oldExpiry });
  return { key: { ...keyView(created), apiKey }, previous: keyView(previous) };
}
