import { sql } from 'drizzle-orm';
import { customType, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { disclosureVersions } from './disclosures.js';

/** Raw bytes (PostgreSQL `bytea`), read and written as Node Buffers. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * The service's Ed25519 keys that sign published disclosures. The key in use is the one not retired;
 * a rotation retires it and keeps it listed (old signatures stay checkable). `private_pem` is null when
 * the key is held outside the database (CERF_SIGNING_KEY_FILE).
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm').notNull().default('Ed25519'),
    publicPem: text('public_pem').notNull(),
    privatePem: text('private_pem'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('signing_keys_one_in_use')
      .on(sql`(true)`)
      .where(sql`${t.retiredAt} is null`),
  ],
);

/** The detached signature of a published version's canonical content (the bytes of its JSON download). */
export const disclosureSignatures = pgTable('disclosure_signatures', {
  disclosureVersionId: uuid('disclosure_version_id')
    .primaryKey()
    .references(() => disclosureVersions.id),
  kid: text('kid')
    .notNull()
    .references(() => signingKeys.kid),
  /** SHA-256 of the signed bytes (equals the version's content_sha256) */
  signedSha256: text('signed_sha256').notNull(),
  /** base64 Ed25519 signature */
  signature: text('signature').notNull(),
  signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
  /** the audit chain's head when it was signed: `{ statement: { position, hash, at, … }, kid, signature }` (app/audit/audit-anchor.ts) */
  auditAnchor: jsonb('audit_anchor'),
});

/**
 * A published version's page, rendered once and kept: the HTML bytes and their compressed copies, with
 * the strong entity tag served for them. `variant` is the language and the address (`zh`, `en`: the
 * version-addressed page; `zh.current`, `en.current`: the same page at the quarter's address).
 */
export const publishedPages = pgTable(
  'published_pages',
  {
    disclosureVersionId: uuid('disclosure_version_id')
      .notNull()
      .references(() => disclosureVersions.id),
    variant: text('variant').notNull(),
    /** the page template's revision the bytes were rendered with (a new template renders again) */
    template: integer('template').notNull(),
    etag: text('etag').notNull(),
    body: bytea('body').notNull(),
    gzip: bytea('gzip').notNull(),
    brotli: bytea('brotli').notNull(),
    renderedAt: timestamp('rendered_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.disclosureVersionId, t.variant, t.template] })],
);
