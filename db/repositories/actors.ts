/** Actors: the user behind an API key or a page session, with their institution. */
import { institutions, users } from '../schema/index.js';

/** The columns of an Actor, for any query that joins users and institutions. */
export const actorColumns = {
  userId: users.id,
  userName: users.name,
  role: users.role,
  institutionId: institutions.id,
  institutionCode: institutions.code,
  isAdmin: users.isAdmin,
};
