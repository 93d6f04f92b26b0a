/** What the key stories share: the key as answered, and the target user looked up with the caller's right to manage it. */
import { findUserWithInstitution, type ApiKeyRow } from '../../db/repositories/keys.js';
import type { UserKeyView } from '../../db/read-models/users.js';
import { mayManageKeysOf } from '../../domain/keys.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

/** A key as answered: the read model's view of a user's key, with the user it belongs to. */
export type KeyView = UserKeyView & { userId: string };

export const keyView = (row: ApiKeyRow): KeyView => ({
  id: row.id,
  userId: row.userId,
  label: row.label,
  readOnly: row.readOnly,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  rotatedFrom: row.rotatedFrom,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  lastUsedAddress: row.lastUsedAddress,
});

/**
 * The user `userId` when the caller may manage its keys. A user of another institution the caller
 * cannot see answers `not_found` (as if it did not exist); one it can see but not manage, `forbidden`.
 */
export async function manageableUser(ctx: ActorContext, userId: string, act: 'create' | 'revoke') {
  const user = await findUserWithInstitution(ctx.tx, userId);
  const visible = user && (ctx.actor.role === 'operator' || user.institutionId === ctx.actor.institutionId);
  if (!user || !visible) return refuse('not_found', `user ${userId} not found`);
  if (!mayManageKeysOf(ctx.actor, { userId: user.id, role: user.role, institutionId: user.institutionId }, act)) {
    refuse(
      'forbidden',
      user.role === 'operator' && ctx.actor.role === 'operator'
        ? 'an operator may create or rotate keys only for itself (another operator user would let one person pass four-eyes checks alone); it may revoke them'
        : "only the user itself, an admin of its institution, or an operator may manage this user's keys",
    );
  }
  return user;
}

/** Refuses an expiry that is not after `now`. */
export function checkExpiry(now: Date, expiresAt: Date | null | undefined) {
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    refuse('expiry_not_in_future', `expiresAt ${expiresAt.toISOString()} is not after now (${now.toISOString()})`, { path: 'expiresAt' });
  }
}
