import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
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
    status: text('status', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
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
    /** the bank user who submitted it */
    submittedBy: uuid('submitted_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('applications_institution').on(t.institutionId),
    index('applications_status').on(t.status, t.createdAt),
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
    /** the loan's place in the application's list (0 first); a partial approval covers whole loans in this order */
    position: integer('position'),
    /**
     * Copies of the loan's principal, maturity and eligibility, written with the row and kept equal to
     * the loan's on the live row (`active` = 1) by the trigger `application_loans_follow_loan` (migration
     * 0010); a row no longer live keeps the loan as it was then (it never counts again). A tranche's pool
     * is summed from its application's rows alone (they sit together), without a lookup per loan.
     */
    loanPrincipalFen: bigint('loan_principal_fen', { mode: 'bigint' }).notNull(),
    loanMaturesOn: date('loan_matures_on', { mode: 'string' }).notNull(),
    loanEligibility: text('loan_eligibility', { enum: ['eligible', 'flagged', 'accepted'] }).notNull(),
    /**
     * The loan's disbursement date, copied and kept the same way (migration 0039; a row written without
     * it takes it from its loan): a bank's support by a date is one probe per approved application
     * (`application_loans_live_disbursed`), not a walk through its loans.
     */
    loanDisbursedOn: date('loan_disbursed_on', { mode: 'string' }).notNull(),
  },
  (t) => [
    unique('application_loans_pair').on(t.applicationId, t.loanId),
    uniqueIndex('application_loans_live_loan')
      .on(t.loanId)
      .where(sql`${t.active} = 1`),
    index('application_loans_live_disbursed')
      .on(t.applicationId, t.loanDisbursedOn)
      .where(sql`${t.active} = 1`),
  ],
);

/**
 * A support tranche (再贷款): one year of funds at one rate. A rollover closes the tranche
 * ('rolled_over', outstanding 0) and opens a new one (`rolledFromId`) with rollover count + 1, the
 * rate in force on the rollover date and a maturity one year later.
 *
 * Interest: within the current segment (from `interestFromOn`, principal and rate constant) the
 * exact accrued interest through day d is outstanding × rate × days / (1e6 × day-count base); what
 * is booked through d is that figure rounded once (half up), so daily bookings telescope to the
 * rounded total. A repayment or rollover settles the interest and starts a new segment.
 */
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
    /** the tranche this one rolled over from (null for the first tranche of an application) */
    rolledFromId: uuid('rolled_from_id').references((): AnyPgColumn => facilities.id),
    principalFen: bigint('principal_fen', { mode: 'bigint' }).notNull(),
    outstandingFen: bigint('outstanding_fen', { mode: 'bigint' }).notNull(),
    ratePpm: bigint('rate_ppm', { mode: 'bigint' }).notNull(),
    dayCount: text('day_count').notNull(),
    startOn: date('start_on', { mode: 'string' }).notNull(),
    maturesOn: date('matures_on', { mode: 'string' }).notNull(),
    rolloverCount: integer('rollover_count').notNull().default(0),
    status: text('status', { enum: ['active', 'matured', 'rolled_over', 'repaid', 'overdue'] })
      .notNull()
      .default('active'),
    policyVersion: text('policy_version').notNull(),
    /** start of the current interest segment */
    interestFromOn: date('interest_from_on', { mode: 'string' }).notNull(),
    /** interest booked within the current segment (rounded through `accruedThrough`) */
    segmentAccruedFen: bigint('segment_accrued_fen', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** interest has been booked through this date */
    accruedThrough: date('accrued_through', { mode: 'string' }).notNull(),
    /** all interest ever booked on this tranche, and how much of it has been paid */
    interestAccruedFen: bigint('interest_accrued_fen', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    interestPaidFen: bigint('interest_paid_fen', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** what the last accrual run booked on this tranche */
    lastAccrualFen: bigint('last_accrual_fen', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    /** the day the tranche stopped being live (repaid or rolled over) */
    closedOn: date('closed_on', { mode: 'string' }),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('facilities_institution').on(t.institutionId),
    index('facilities_application').on(t.applicationId),
    index('facilities_maturity').on(t.status, t.maturesOn),
    uniqueIndex('facilities_rolled_from').on(t.rolledFromId),
    check('facilities_outstanding_range', sql`${t.outstandingFen} >= 0 and ${t.outstandingFen} <= ${t.principalFen}`),
    check('facilities_rollovers', sql`${t.rolloverCount} between 0 and 2`),
    check('facilities_interest_paid_le_accrued', sql`${t.interestPaidFen} >= 0 and ${t.interestPaidFen} <= ${t.interestAccruedFen}`),
    check('facilities_day_count', sql`${t.dayCount} in ('actual_360','actual_365')`),
  ],
);

/** Instruments a bank pledges with an application (合格质押品); values as of `valuedOn`. */
export const collateral = pgTable(
  'collateral',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    instrumentType: text('instrument_type').notNull(),
    instrumentRef: text('instrument_ref').notNull(),
    faceFen: bigint('face_fen', { mode: 'bigint' }).notNull(),
    marketFen: bigint('market_fen', { mode: 'bigint' }).notNull(),
    valuedOn: date('valued_on', { mode: 'string' }).notNull(),
    status: text('status', { enum: ['pledged', 'released'] })
      .notNull()
      .default('pledged'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('collateral_application').on(t.applicationId),
    unique('collateral_application_ref').on(t.applicationId, t.instrumentRef),
    check('collateral_values_nonnegative', sql`${t.faceFen} > 0 and ${t.marketFen} >= 0`),
  ],
);

/** Every valuation of a pledged instrument (the first is the pledge itself). Append-only. */
export const collateralValuations = pgTable(
  'collateral_valuations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    collateralId: uuid('collateral_id')
      .notNull()
      .references(() => collateral.id),
    valuedOn: date('valued_on', { mode: 'string' }).notNull(),
    marketFen: bigint('market_fen', { mode: 'bigint' }).notNull(),
    valuedBy: uuid('valued_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('collateral_valuations_collateral').on(t.collateralId, t.valuedOn)],
);

/**
 * Raised when an application's eligible collateral falls below its live support plus accrued
 * interest; cleared when coverage is back to 100 %. At most one open call per application.
 */
export const marginCalls = pgTable(
  'margin_calls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    raisedOn: date('raised_on', { mode: 'string' }).notNull(),
    eligibleCollateralFen: bigint('eligible_collateral_fen', { mode: 'bigint' }).notNull(),
    exposureFen: bigint('exposure_fen', { mode: 'bigint' }).notNull(),
    shortfallFen: bigint('shortfall_fen', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: ['open', 'cleared'] })
      .notNull()
      .default('open'),
    clearedOn: date('cleared_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('margin_calls_institution').on(t.institutionId, t.status),
    uniqueIndex('margin_calls_open_per_application')
      .on(t.applicationId)
      .where(sql`${t.status} = 'open'`),
  ],
);

/**
 * Raised when a tranche's outstanding principal exceeds the policy share (60 %) of its pool (the
 * underlying loans' outstanding eligible principal, which falls as loans are repaid or mature): the bank
 * owes the excess (`amountFen`), due on `dueOn` (raised date + the policy's `poolShortfallDueDays`).
 * At most one open shortfall per tranche, grown when the excess grows, cleared when a repayment of the
 * tranche (or its rollover) brings it back within the share. The figures are those of the last check.
 */
export const poolShortfalls = pgTable(
  'pool_shortfalls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    applicationId: uuid('application_id')
      .notNull()
      .references(() => applications.id),
    facilityId: uuid('facility_id')
      .notNull()
      .references(() => facilities.id),
    raisedOn: date('raised_on', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** what the bank owes now (0 once cleared) */
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    /** the tranche's outstanding principal and its pool's outstanding eligible principal at the last check */
    trancheOutstandingFen: bigint('tranche_outstanding_fen', { mode: 'bigint' }).notNull(),
    poolOutstandingFen: bigint('pool_outstanding_fen', { mode: 'bigint' }).notNull(),
    /** the date of the last check that changed it */
    checkedOn: date('checked_on', { mode: 'string' }).notNull(),
    status: text('status', { enum: ['open', 'cleared'] })
      .notNull()
      .default('open'),
    clearedOn: date('cleared_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('pool_shortfalls_institution').on(t.institutionId, t.status),
    index('pool_shortfalls_status').on(t.status, t.raisedOn),
    uniqueIndex('pool_shortfalls_open_per_facility')
      .on(t.facilityId)
      .where(sql`${t.status} = 'open'`),
    check('pool_shortfalls_amount_nonnegative', sql`${t.amountFen} >= 0`),
    check('pool_shortfalls_due_after_raised', sql`${t.dueOn} >= ${t.raisedOn}`),
  ],
);
