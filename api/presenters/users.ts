/** Users and their keys as the API answers them. Pure. */
import type { UserView } from '../../db/read-models/users.js';

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

export function presentUser(user: UserView) {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    admin: user.isAdmin,
    institution: user.institutionCode,
    createdAt: user.createdAt.toISOString(),
    revokedAt: iso(user.revokedAt),
    hasPassword: user.hasPassword,
    keyIds: user.keys.map((k) => k.id),
    keys: user.keys.map((k) => ({
      id: k.id,
      label: k.label,
      readOnly: k.readOnly,
      createdAt: iso(k.createdAt)!,
      expiresAt: iso(k.expiresAt),
      revokedAt: iso(k.revokedAt),
      rotatedFrom: k.rotatedFrom,
      lastUsedAt: iso(k.lastUsedAt),
      lastUsedAddress: k.lastUsedAddress,
    })),
  };
}
