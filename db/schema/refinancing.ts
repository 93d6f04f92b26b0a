import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';
import { loans } from './loans.js';

/** A quarter's operation and the volume the central bank makes available in it. */
export const operations = pgTable(
  'operations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    quarter: text('quarter').notNull().unique(),
    opensOn: date('opens_on', { mode: 'string' }).notNull(),
    closesOn: date('closes_on', { mode: 'string' }).notNull(),
    volumeFen: bigint('volume_fen', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('operations_volume_positive', sql`${t.volumeFen} > 0`)],
);

/** A bank's request for support over listed loans (先贷后借: the loans are disbursed first). */
export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    operationId: uuid('operation_id')
      .notNull()
      .references(() => operations.id),
    appliedOn: date('applied_on', { mode: 'string' }).notNull(),
    status: text('status', { enum: ['submitted', 'approved', 'rejected', 'disbursed'] }).notNull(),
    policyVersion: text('policy_version').notNull(),
    requestedFen: bigint('requested_fen', { mode: 'bigint' }).notNull(),
    approvedFen: bigint('approved_fen', { mode: 'bigint' }),
    decisionReason: text('decision_reason'),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    disbursedBy: uuid('disbursed_by').references(() => users.id),
    disbursedAt: timestamp('disbursed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('applications_institution').on(t.institutionId),
    index('applications_operation').on(t.operationId),
    check('applications_approved_le_requested', sql`${t.approvedFen} is null or ${t.approvedFen} <= ${t.requestedFen}`),
  ],
);

/**
 * The loans an application lists. A loan is "covered by approved support" when it sits on an
 * application whose status is 'approved' or 'disbursed'. `active` is cleared when the application is
 * rejected, so a loan can be listed again; the partial unique index keeps it on one live application.
 */
export const applicationLoans = pgTable(
  'application_loans',
  {
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    principalFen: bigint('principal_fen', { mode: 'bigint' }).notNull(),
    requestedSupportFen: bigint('requested_support_fen', { mode: 'bigint' }).notNull(),
    active: integer('active').notNull().default(1),
  },
  (t) => [
    unique('application_loans_pair').on(t.applicationId, t.loanId),
    uniqueIndex('application_loans_live_loan').on(t.loanId).where(sql`${t.active} = 1`),
  ],
);

/** A disbursed support tranche (再贷款). */
export const facilities = pgTable(
  'facilities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    principalFen: bigint('principal_fen', { mode: 'bigint' }).notNull(),
    outstandingFen: bigint('outstanding_fen', { mode: 'bigint' }).notNull(),
    ratePpm: bigint('rate_ppm', { mode: 'bigint' }).notNull(),
    dayCount: text('day_count').notNull(),
    startOn: date('start_on', { mode: 'string' }).notNull(),
    maturesOn: date('matures_on', { mode: 'string' }).notNull(),
    rolloverCount: integer('rollover_count').notNull().default(0),
    status: text('status', { enum: ['active', 'matured', 'rolled_over', 'repaid', 'overdue'] }).notNull().default('active'),
    policyVersion: text('policy_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('facilities_institution').on(t.institutionId),
    index('facilities_maturity').on(t.status, t.maturesOn),
    check('facilities_outstanding_range', sql`${t.outstandingFen} >= 0 and ${t.outstandingFen} <= ${t.principalFen}`),
    check('facilities_rollovers', sql`${t.rolloverCount} between 0 and 2`),
  ],
);
