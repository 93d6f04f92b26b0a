/** Actors: the user behind an API key or a page session, with their institution. */
import { and, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../../domain/actor.js';
import type { Tx } from '../client.js';
import { institutions, users } from '../schema/index.js';

/** The columns of an Actor, for any query that joins users and institutions. */
export const actorColumns = {
  userId: users.id,
  userName: users.name,
  role: users.role,
  institutionId: institutions.id,
  institutionCode: institutions.code,
};

/** The actor whose key hashes to `apiKeySha256`, unless the user is revoked. */
export async function findActorByKeyHash(db: Tx, apiKeySha256: string): Promise<Actor | null> {
  const rows = await db
    .select(actorColumns)
    .from(users)
    .innerJoin(institutions, eq(users.institutionId, institutions.id))
    .where(and(eq(users.apiKeySha256, apiKeySha256), isNull(users.revokedAt)))
    .limit(1);
  return rows[0] ?? null;
}
