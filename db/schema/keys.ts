import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './institutions.js';

/**
 * API keys: a user holds any number, each stored only as its SHA-256. A key answers 401 from the moment
 * it is revoked or its expiry passes (every request reads this table; nothing caches a key). A rotation
 * creates a new key and gives the old one an expiry at the end of the grace period the caller chose.
 * `users.api_key_sha256` keeps the hash of a user's first key; only this table is read to authenticate.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    sha256: text('sha256').notNull().unique(),
    label: text('label'),
    /** refused with 403 on every write */
    readOnly: boolean('read_only').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** the user who created it (null: created with its user) */
    createdBy: uuid('created_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by'),
    /** the key this one replaced in a rotation */
    rotatedFrom: uuid('rotated_from'),
    /** updated at most once a minute per key */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    lastUsedAddress: text('last_used_address'),
  },
  (t) => [index('api_keys_user').on(t.userId)],
);

/** An operator's second factor for the pages (TOTP, RFC 6238). `enabledAt` is null while enrolment is unconfirmed. */
export const totpFactors = pgTable('totp_factors', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  /** base32 secret */
  secret: text('secret').notNull(),
  enabledAt: timestamp('enabled_at', { withTimezone: true }),
  /** the 30-second step of the last code accepted: a code of that step or earlier is a replay */
  lastStep: bigint('last_step', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One-time recovery codes of a second factor, stored as SHA-256; each works once. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    sha256: text('sha256').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sha256] }), check('recovery_codes_sha256', sql`length(${t.sha256}) = 64`)],
);
