import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { disclosureVersions } from './disclosures.js';
import { users } from './institutions.js';

/**
 * A bank's confirmation, with its reason, of a quality finding of the checks a disclosure version
 * passes before submission (domain/disclosures/checks.ts): one per version, check and subject.
 */
export const disclosureCheckConfirmations = pgTable(
  'disclosure_check_confirmations',
  {
    versionId: uuid('version_id')
      .notNull()
      .references(() => disclosureVersions.id),
    check: text('check').notNull(),
    subject: text('subject').notNull(),
    reason: text('reason').notNull(),
    confirmedBy: uuid('confirmed_by')
      .notNull()
      .references(() => users.id),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.versionId, t.check, t.subject] })],
);
