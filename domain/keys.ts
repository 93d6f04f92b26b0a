/**
 * Who may manage whose API keys, and the limits of a rotation. Pure rules.
 *
 * - Anyone may revoke, rotate or add keys of their own user.
 * - An admin of a bank or verifier manages the keys of its own institution's users.
 * - An operator may revoke any key, and create or rotate keys of bank and verifier users; keys of
 *   ANOTHER operator user it may only revoke: a key it created for another operator would let one
 *   person act as two and pass every four-eyes check alone.
 */
import type { Actor } from './actor.js';

export const KEY_ROTATION_GRACE_MAX_SECONDS = 7 * 24 * 3600;

export type KeyTarget = { userId: string; role: 'operator' | 'bank' | 'verifier'; institutionId: string };

export function mayManageKeysOf(actor: Actor, target: KeyTarget, act: 'create' | 'revoke'): boolean {
  if (actor.userId === target.userId) return true;
  if (actor.role === 'operator') return act === 'revoke' || target.role !== 'operator';
  return actor.isAdmin === true && actor.institutionId === target.institutionId;
}

/** Who may list the users of an institution: operators (every institution), admins (their own). */
export function mayListUsersOf(actor: Actor, institutionId: string): boolean {
  return actor.role === 'operator' || (actor.isAdmin === true && actor.institutionId === institutionId);
}
