import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/**
 * One historical import: a JSON document of a bank's past records (POST /api/v1/imports), booked in
 * parts (a transaction each). The row is written with the first part (`booking`) and completed with the
 * last (`completed`); until then `progress` holds what the parts booked, so the same document sent again
 * resumes after the last part booked. Once completed, the same document again (same SHA-256 of its
 * bytes) replays `result`, the first answer.
 */
export const imports = pgTable(
  'imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** SHA-256 of the document as sent (its bytes) */
    documentSha256: text('document_sha256').notNull().unique(),
    importedBy: uuid('imported_by')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: ['booking', 'completed'] })
      .notNull()
      .default('completed'),
    /** while booking: the parts booked and their outcomes (app/imports/import-history.ts ImportProgress) */
    progress: jsonb('progress'),
    /** { loans: { created, unchanged }, records: { <kind>: { created, unchanged } } } */
    counts: jsonb('counts').notNull(),
    /** HTTP status and body of the first answer, replayed for the same document */
    resultStatus: integer('result_status').notNull(),
    result: jsonb('result').notNull(),
    /** when the import ran (the request's time) */
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('imports_institution').on(t.institutionId, t.importedAt),
    check('imports_status', sql`${t.status} in ('booking', 'completed')`),
  ],
);

/**
 * Every record an import booked, by the bank's own reference: what it became (an application, a
 * tranche, a collateral instrument, a repayment …), its effective date and the SHA-256 of its
 * canonical content. A later document naming the same reference with the same content skips it
 * (`unchanged`); with other content it is refused (`record_ref_conflict`). Later records refer to
 * earlier ones through these references, across documents.
 */
export const importRecords = pgTable(
  'import_records',
  {
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    ref: text('ref').notNull(),
    kind: text('kind').notNull(),
    /** the row the record became: application, facility (tranche), collateral, loan repayment, journal entry … */
    entityId: uuid('entity_id').notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    contentSha256: text('content_sha256').notNull(),
    importId: uuid('import_id')
      .notNull()
      .references(() => imports.id),
  },
  (t) => [unique('import_records_ref').on(t.institutionId, t.ref), index('import_records_import').on(t.importId)],
);
