/** Users with their keys, for `GET /api/v1/users`: one page of users and their keys in one joined query. */
import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { apiKeys, institutions, users } from '../schema/index.js';

export type UserKeyView = {
  id: string;
  label: string | null;
  readOnly: boolean;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  rotatedFrom: string | null;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
};

export type UserView = {
  id: string;
  name: string;
  role: 'operator' | 'bank' | 'verifier';
  isAdmin: boolean;
  institutionCode: string;
  createdAt: Date;
  revokedAt: Date | null;
  hasPassword: boolean;
  keys: UserKeyView[];
};

/** A page of users ordered by id, after `afterId`, of one institution or all; `limit + 1` rows tell whether more follow. */
export async function listUsersWithKeys(db: Tx, filter: { institutionId?: string; afterId?: string; limit: number }): Promise<UserView[]> {
  const conditions: SQL[] = [];
  if (filter.institutionId) conditions.push(eq(users.institutionId, filter.institutionId));
  if (filter.afterId) conditions.push(gt(users.id, filter.afterId));
  return db
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      isAdmin: users.isAdmin,
      institutionCode: institutions.code,
      createdAt: users.createdAt,
      revokedAt: users.revokedAt,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      keys: sql<UserKeyView[]>`coalesce((
        select json_agg(json_build_object(
          'id', k.id, 'label', k.label, 'readOnly', k.read_only, 'createdAt', k.created_at, 'expiresAt', k.expires_at,
          'revokedAt', k.revoked_at, 'rotatedFrom', k.rotated_from, 'lastUsedAt', k.last_used_at, 'lastUsedAddress', k.last_used_address
        ) order by k.created_at, k.id) from ${apiKeys} k where k.user_id = ${users.id}), '[]'::json)`,
    })
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(users.id))
    .limit(filter.limit + 1);
}
