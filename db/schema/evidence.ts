import { sql } from 'drizzle-orm';
import { check, customType, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { disclosureVersions, verificationAssignments } from './disclosures.js';
import { institutions, users } from './institutions.js';
import { loans } from './loans.js';

/** Raw bytes (PostgreSQL bytea): a Buffer on node-postgres, a Uint8Array on PGlite. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * A project's evidence file (feasibility study, environmental impact assessment, third-party
 * assessment: a PDF or an image), addressed by the SHA-256 of its bytes, which equals the hash a
 * project declared (`projects.evidence_sha256`). One row per distinct file, whoever declared it: the
 * first bank to upload it is named. Where the bytes are: `storage` ('postgresql': the row of
 * `evidence_file_contents`; 's3': an S3-compatible store under the same hash).
 */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contentSha256: text('content_sha256').notNull().unique(),
    /** application/pdf, image/png, image/jpeg or image/webp (from the file's first bytes) */
    mediaType: text('media_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    storage: text('storage').notNull().default('postgresql'),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('evidence_files_sha256', sql`${t.contentSha256} ~ '^[0-9a-f]{64}$'`),
    check('evidence_files_media_type', sql`${t.mediaType} in ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')`),
    check('evidence_files_size', sql`${t.sizeBytes} > 0`),
    check('evidence_files_storage', sql`${t.storage} in ('postgresql', 's3')`),
  ],
);

/** The bytes of an evidence file kept in PostgreSQL (kept apart from the audited metadata). */
export const evidenceFileContents = pgTable('evidence_file_contents', {
  contentSha256: text('content_sha256')
    .primaryKey()
    .references(() => evidenceFiles.contentSha256),
  data: bytea('data').notNull(),
});

/**
 * A question the assigned verifier raises on a sampled loan of the version it verifies; the bank
 * answers in `verification_query_answers`. The thread stays with the version and goes into the report.
 */
export const verificationQueries = pgTable(
  'verification_queries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => verificationAssignments.id),
    versionId: uuid('version_id')
      .notNull()
      .references(() => disclosureVersions.id),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    text: text('text').notNull(),
    raisedBy: uuid('raised_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('verification_queries_version').on(t.versionId, t.createdAt)],
);

/** The bank's answer to a verifier's query (a query may have several, in order). */
export const verificationQueryAnswers = pgTable(
  'verification_query_answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    queryId: uuid('query_id')
      .notNull()
      .references(() => verificationQueries.id),
    text: text('text').notNull(),
    answeredBy: uuid('answered_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('verification_query_answers_query').on(t.queryId, t.createdAt)],
);
