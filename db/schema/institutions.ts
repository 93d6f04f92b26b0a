import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Banks, verifiers and the central bank itself (kind 'operator'). */
export const institutions = pgTable(
  'institutions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull().unique(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    kind: text('kind', { enum: ['operator', 'bank', 'verifier'] }).notNull(),
    /** a bank may use the facility from this date (inclusive) … */
    eligibleFrom: date('eligible_from', { mode: 'string' }),
    /** … until this date (inclusive), or open-ended */
    eligibleUntil: date('eligible_until', { mode: 'string' }),
    /** a bank's category (national, local legal-person, foreign); null: judged by its window alone */
    category: text('category', { enum: ['national', 'local_legal_person', 'foreign'] }),
    /** the province (or provincial-level city) of its head office */
    province: text('province'),
    /** 统一社会信用代码 (GB 32100-2015) */
    unifiedSocialCreditCode: text('unified_social_credit_code').unique(),
    /** true: its window was granted before its category opened, and the window alone decides */
    categoryException: boolean('category_exception').notNull().default(false),
    /** migration mode (set by an operator, with a reason): the bank may back-date its own bookings while it records its past */
    migrationModeSince: timestamp('migration_mode_since', { withTimezone: true }),
    migrationModeReason: text('migration_mode_reason'),
    migrationModeSetBy: uuid('migration_mode_set_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('institutions_kind', sql`${t.kind} in ('operator','bank','verifier')`),
    check('institutions_category', sql`${t.category} is null or ${t.category} in ('national','local_legal_person','foreign')`),
  ],
);

/** People and systems that act: each holds an API key (stored only as its SHA-256) and one role. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    name: text('name').notNull(),
    role: text('role', { enum: ['operator', 'bank', 'verifier'] }).notNull(),
    apiKeySha256: text('api_key_sha256').notNull().unique(),
    /** scrypt hash for signing in to the pages, when the user has one */
    passwordHash: text('password_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** an admin of a bank or verifier manages its own institution's users and keys */
    isAdmin: boolean('is_admin').notNull().default(false),
  },
  (t) => [index('users_institution').on(t.institutionId)],
);

/** First answer to each (user, Idempotency-Key): a repeat with the same body replays it. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    key: text('key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestSha256: text('request_sha256').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseBody: text('response_body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * set inside the request's own write transaction: true exactly when that transaction committed, so
     * a request whose answer was lost (an outage after or during COMMIT) never passes for one that wrote nothing
     */
    writeCommitted: boolean('write_committed').notNull().default(false),
    /** the claim's lease: renewed every few seconds while its request runs; a claim not renewed for a while belonged to a process that died */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);
