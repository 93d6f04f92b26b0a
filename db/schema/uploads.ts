import { sql } from 'drizzle-orm';
import { boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/** Raw bytes (PostgreSQL bytea): a Buffer on node-postgres, a Uint8Array on PGlite. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * A file a bank uploaded (CSV or XLSX of loans, repayments or amendments) and the state of the job that
 * processes it (POST /api/v1/uploads). The file itself is kept in `upload_parts`, so a crash loses
 * neither the file nor the job: the job processes the whole file in one transaction that also marks
 * the upload finished, so a retry after a crash starts again from nothing written.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    /** loans | repayments | amendments; null while the file is still being received */
    kind: text('kind'),
    /** csv | xlsx (from the file's first bytes) */
    format: text('format'),
    fileName: text('file_name').notNull(),
    sizeBytes: integer('size_bytes').notNull().default(0),
    fileSha256: text('file_sha256'),
    writeGoodRows: boolean('write_good_rows').notNull().default(false),
    /** receiving → queued → running → completed | refused (rows failed and nothing was written) | failed */
    status: text('status').notNull().default('receiving'),
    /** share of the file read so far, in thousandths */
    progressPermille: integer('progress_permille').notNull().default(0),
    rowsRead: integer('rows_read').notNull().default(0),
    /** written a chunk per transaction (the embedded database): the last file row written so far, with counts and errors */
    rowsCommitted: integer('rows_committed'),
    /** { created, unchanged, written, error } */
    counts: jsonb('counts'),
    /** [{ row, column, rule, message }], the file's row numbers (the header is row 1) */
    errors: jsonb('errors'),
    errorCount: integer('error_count').notNull().default(0),
    failure: text('failure'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** when the job was taken up again after an interrupted attempt (its worker died or it failed and is retried) */
    resumedAt: timestamp('resumed_at', { withTimezone: true }),
  },
  (t) => [
    index('uploads_institution').on(t.institutionId, t.createdAt),
    check('uploads_status', sql`${t.status} in ('receiving', 'queued', 'running', 'completed', 'refused', 'failed')`),
    check('uploads_kind', sql`${t.kind} is null or ${t.kind} in ('loans', 'repayments', 'amendments')`),
  ],
);

/** An uploaded file's bytes, in parts of about a megabyte, in order. */
export const uploadParts = pgTable(
  'upload_parts',
  {
    uploadId: uuid('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.seq] })],
);
