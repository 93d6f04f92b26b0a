import { sql } from 'drizzle-orm';
import { boolean, check, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/**
 * The history of the bookings on the refinancing ledger: every command that changes it, with its
 * effective date (the day the rules were applied for) and when, by whom and why it was booked. One
 * row per subject a booking touches (a disbursement is a booking of its application and of the new
 * tranche). A booking may not be dated before the last booking of the same subject.
 */
export const bookings = pgTable(
  'bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subjectKind: text('subject_kind', {
      enum: ['operation', 'application', 'facility', 'collateral', 'loan', 'journal_entry', 'institution'],
    }).notNull(),
    subjectId: uuid('subject_id').notNull(),
    institutionId: uuid('institution_id').references(() => institutions.id),
    command: text('command').notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    bookedAt: timestamp('booked_at', { withTimezone: true }).notNull(),
    bookedBy: uuid('booked_by').references(() => users.id),
    /** why: the command's own reason, or the reason given for back-dating */
    reason: text('reason'),
    /** dated before the day it was booked (Asia/Shanghai) */
    backdated: boolean('backdated').notNull(),
  },
  (t) => [
    index('bookings_subject').on(t.subjectKind, t.subjectId, t.effectiveOn),
    check(
      'bookings_subject_kind',
      sql`${t.subjectKind} in ('operation','application','facility','collateral','loan','journal_entry','institution')`,
    ),
  ],
);
