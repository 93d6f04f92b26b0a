import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './institutions.js';

/**
 * Page sign-in sessions. The browser holds a random token in a signed httpOnly cookie; only the
 * token's SHA-256 is stored here, so a copy of this table cannot be replayed as cookies.
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    tokenSha256: text('token_sha256').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** how the user proved who they are: 'password' or 'api_key' */
    method: text('method', { enum: ['password', 'api_key'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** the API key signed in with (method 'api_key'): revoking it ends the session */
    apiKeyId: uuid('api_key_id'),
    /** when an operator passed the second factor; an operator's session without it opens no page */
    secondFactorAt: timestamp('second_factor_at', { withTimezone: true }),
  },
  (t) => [index('web_sessions_user').on(t.userId), check('web_sessions_method', sql`${t.method} in ('password','api_key')`)],
);

/** Sign-in attempts counted per key (e.g. ip + institution + user) in a fixed window. */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    key: text('key').primaryKey(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull(),
  },
  (t) => [check('sign_in_attempts_positive', sql`${t.attempts} > 0`)],
);

/** Server secrets generated once per database (e.g. the cookie-signing key when none is configured). */
export const webSecrets = pgTable('web_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
