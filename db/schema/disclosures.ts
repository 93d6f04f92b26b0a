import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';
import { loans } from './loans.js';

export const DISCLOSURE_STATUSES = [
  'compiled',
  'submitted',
  'under_verification',
  'verified',
  'rejected',
  'published',
  'superseded',
] as const;

/**
 * Why a version was compiled as a correction of the records (null: the quarter's compilation or a
 * request after rejection or publication): support approved late, an approval withdrawn, a loan
 * changed (amended, accepted after the fact), a history import, a project's figures decided, or an
 * operator's correction by hand (app/disclosures/corrections.ts).
 */
export const VERSION_REASONS = [
  'support_after_compile',
  'support_withdrawn',
  'loan_changed',
  'history_imported',
  'project_decided',
  'operator_correction',
] as const;

/**
 * Every compiled version of a bank's quarterly disclosure. `content` (figures, statement) never
 * changes once written and `content_sha256` is the SHA-256 of its canonical JSON; only the workflow
 * columns (status and its timestamps) move. A correction after rejection is a new version
 * (`previous_version_id`); a restatement of a published version is a new version (`restates_version_id`).
 * When support arrives for loans of a quarter already compiled, the service compiles the next version
 * itself (`reason` 'support_after_compile', `added_loan_ids` the loans it adds); a version that was still
 * compiled, submitted or under verification then is 'superseded' (its verification is withdrawn).
 */
/** One frozen loan, as a disclosure version counted it (the SQL composite type `frozen_loan`, db/migrations/0027). */
const frozenLoanList = customType<{ data: string }>({ dataType: () => 'frozen_loan[]' });

/**
 * The frozen loan sets: the loans a disclosure version counted (its since-inception horizon), one row per
 * distinct set, never edited. `key` is random (db/migrations/0034); `sha256` is the list's hash, by which
 * (with the length, then the loans themselves) an equal set is found, so versions that froze the same loans
 * with the same figures share one row. A whole set holds its loans in loan-id order in `list`; a correction's
 * set is a delta (db/migrations/0035) from `base_key`, a whole set: the base's loans minus `dropped` plus
 * `list`. Read as rows through the view `disclosure_loans` (statements.ts).
 */
export const disclosureLoanSets = pgTable('disclosure_loan_sets', {
  key: text('key').primaryKey(),
  loans: integer('loans').notNull(),
  sha256: text('sha256').notNull(),
  list: frozenLoanList('list').notNull(),
  baseKey: text('base_key').references((): AnyPgColumn => disclosureLoanSets.key),
  dropped: uuid('dropped').array(),
});

export const disclosureVersions = pgTable(
  'disclosure_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    quarter: text('quarter').notNull(),
    version: integer('version').notNull(),
    status: text('status', { enum: DISCLOSURE_STATUSES }).notNull().default('compiled'),
    content: jsonb('content').notNull(),
    contentSha256: text('content_sha256').notNull(),
    /** loans counted in the since-inception horizon when compiled */
    countedLoans: integer('counted_loans').notNull(),
    previousVersionId: uuid('previous_version_id').references((): AnyPgColumn => disclosureVersions.id),
    restatesVersionId: uuid('restates_version_id').references((): AnyPgColumn => disclosureVersions.id),
    compiledAt: timestamp('compiled_at', { withTimezone: true }).notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    submittedBy: uuid('submitted_by').references(() => users.id),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    publishedOn: date('published_on', { mode: 'string' }),
    /** why the service compiled this version as a correction (VERSION_REASONS), or null */
    reason: text('reason', { enum: VERSION_REASONS }),
    /** the loans this version adds to the previous one's count (support approved after compile), as a JSON array of ids */
    addedLoanIds: jsonb('added_loan_ids').$type<string[]>(),
    /** why this version replaces the previous one (required for every version after the first) */
    changeReason: text('change_reason'),
    /** the difference from the version it replaces: figure by figure and loan by loan (added, removed, changed) */
    difference: jsonb('difference'),
    /** the loans it counted, frozen when it was compiled (null: it froze none) */
    loanSetKey: text('loan_set_key').references((): AnyPgColumn => disclosureLoanSets.key),
  },
  (t) => [
    unique('disclosure_versions_number').on(t.institutionId, t.quarter, t.version),
    index('disclosure_versions_quarter').on(t.quarter, t.status),
    check(
      'disclosure_versions_status',
      sql`${t.status} in ('compiled','submitted','under_verification','verified','rejected','published','superseded')`,
    ),
    check('disclosure_versions_version_positive', sql`${t.version} >= 1`),
    check(
      'disclosure_versions_reason',
      sql`${t.reason} is null or ${t.reason} in ('support_after_compile','support_withdrawn','loan_changed','history_imported','project_decided','operator_correction')`,
    ),
  ],
);

/** A verifier declared conflicted with a bank (e.g. it audits the bank's accounts): never assigned to it. */
export const verifierConflicts = pgTable(
  'verifier_conflicts',
  {
    verifierId: uuid('verifier_id')
      .notNull()
      .references(() => institutions.id),
    bankId: uuid('bank_id')
      .notNull()
      .references(() => institutions.id),
    reason: text('reason').notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.verifierId, t.bankId] })],
);

/**
 * One verifier's assignment to one disclosure version, with the parameters that reproduce its
 * sample, and, once given, the verdict and the report (canonical JSON and its SHA-256).
 */
export const verificationAssignments = pgTable(
  'verification_assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    disclosureVersionId: uuid('disclosure_version_id')
      .notNull()
      .references(() => disclosureVersions.id)
      .unique(),
    verifierId: uuid('verifier_id')
      .notNull()
      .references(() => institutions.id),
    assignedBy: uuid('assigned_by').references(() => users.id),
    /** 'operator' or the rule's name ('least_loaded') */
    assignedHow: text('assigned_how').notNull(),
    seed: text('seed').notNull(),
    materialityFen: bigint('materiality_fen', { mode: 'bigint' }).notNull(),
    randomSampleSize: integer('random_sample_size').notNull(),
    verdict: text('verdict', { enum: ['verified', 'rejected'] }),
    summary: text('summary'),
    report: jsonb('report'),
    reportSha256: text('report_sha256'),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    completedOn: date('completed_on', { mode: 'string' }),
  },
  (t) => [index('verification_assignments_verifier').on(t.verifierId, t.completedAt)],
);

/** The loans a verifier must check, frozen at assignment with the figures they were disclosed with. */
export const verificationSamples = pgTable(
  'verification_samples',
  {
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => verificationAssignments.id),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    ordinal: integer('ordinal').notNull(),
    /** 'material' (principal at or above the threshold) or 'random' (seeded draw) */
    reason: text('reason', { enum: ['material', 'random'] }).notNull(),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.loanId] })],
);

export const FINDING_CHECKS = ['area', 'amount', 'rate', 'reduction', 'evidence'] as const;

/**
 * What the verifier found on a sampled loan, one row per check. Append-only: a correction before the
 * verdict is a new row that `supersedes` the old one, which keeps its outcome and gains `supersededAt`
 * and `supersededBy`; one current (not superseded) finding per loan and check.
 */
export const verificationFindings = pgTable(
  'verification_findings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => verificationAssignments.id),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    check: text('check', { enum: FINDING_CHECKS }).notNull(),
    outcome: text('outcome', { enum: ['pass', 'fail'] }).notNull(),
    note: text('note'),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** the finding this one corrects, and why */
    supersedes: uuid('supersedes').references((): AnyPgColumn => verificationFindings.id),
    reason: text('reason'),
    /** set when a later finding corrects this one */
    supersededBy: uuid('superseded_by').references((): AnyPgColumn => verificationFindings.id),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    index('verification_findings_assignment').on(t.assignmentId),
    uniqueIndex('verification_findings_current')
      .on(t.assignmentId, t.loanId, t.check)
      .where(sql`${t.supersededAt} is null`),
  ],
);

/** Where an institution wants its notifications; the secret signs each delivery (HMAC-SHA256). */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    active: integer('active').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_subscriptions_institution').on(t.institutionId)],
);

/** One notification to one subscription: attempts and the last error stay visible. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** the outbox job id of the notification (also sent as X-Cerf-Delivery) */
    jobId: text('job_id').notNull(),
    event: text('event').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    unique('webhook_deliveries_once').on(t.jobId, t.subscriptionId),
    index('webhook_deliveries_institution').on(t.institutionId, t.createdAt),
  ],
);
