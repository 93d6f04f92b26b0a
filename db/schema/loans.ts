import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/** A project is named by the bank's own `ref`; several loans may finance it. */
export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    ref: text('ref').notNull(),
    name: text('name').notNull(),
    province: text('province').notNull(),
    subArea: text('sub_area').notNull(),
    totalInvestmentFen: bigint('total_investment_fen', { mode: 'bigint' }).notNull(),
    annualReductionCentitonnes: bigint('annual_reduction_centitonnes', { mode: 'bigint' }).notNull(),
    reductionBasis: text('reduction_basis').notNull(),
    evidenceTitle: text('evidence_title').notNull(),
    evidenceSha256: text('evidence_sha256').notNull(),
    /** Σ principal of this project's loans, kept in the same transaction as every loan write */
    fundedFen: bigint('funded_fen', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('projects_institution_ref').on(t.institutionId, t.ref),
    /** who declared an evidence file (its upload and who may read it) */
    index('projects_evidence_sha256').on(t.evidenceSha256),
    check('projects_investment_positive', sql`${t.totalInvestmentFen} > 0`),
    check('projects_reduction_nonnegative', sql`${t.annualReductionCentitonnes} >= 0`),
    check('projects_never_overfunded', sql`${t.fundedFen} <= ${t.totalInvestmentFen}`),
  ],
);

/**
 * The current version of each loan. Every version (including this one) is also kept whole in
 * `loan_versions`; an amendment writes a new version and never edits history.
 */
export const loans = pgTable(
  'loans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    loanRef: text('loan_ref').notNull(),
    /**
     * the loan's project; checked per statement, not by a foreign key (migration 0038: every statement
     * writing loans checks the projects and register entries its rows name, and neither is ever deleted)
     */
    projectId: uuid('project_id').notNull(),
    /** the project's entry in the national register (db/schema/project-register.ts), checked as `projectId` */
    registerId: uuid('register_id'),
    borrowerName: text('borrower_name').notNull(),
    borrowerCreditCode: text('borrower_credit_code').notNull(),
    principalFen: bigint('principal_fen', { mode: 'bigint' }).notNull(),
    /** principal less repayments, kept in the same transaction as every repayment */
    outstandingFen: bigint('outstanding_fen', { mode: 'bigint' }).notNull(),
    ratePpm: bigint('rate_ppm', { mode: 'bigint' }).notNull(),
    disbursedOn: date('disbursed_on', { mode: 'string' }).notNull(),
    maturesOn: date('matures_on', { mode: 'string' }).notNull(),
    taxonomyVersion: text('taxonomy_version').notNull(),
    policyVersion: text('policy_version').notNull(),
    lprTenor: text('lpr_tenor').notNull(),
    lprMonth: text('lpr_month').notNull(),
    lprPpm: bigint('lpr_ppm', { mode: 'bigint' }).notNull(),
    withinLprBand: boolean('within_lpr_band').notNull(),
    /** 'eligible', 'flagged' (recorded but not eligible until accepted) or 'accepted' (flag cleared by an operator) */
    eligibility: text('eligibility', { enum: ['eligible', 'flagged', 'accepted'] }).notNull(),
    /** [{ code, message }] why the loan was flagged */
    flags: jsonb('flags')
      .$type<{ code: string; message: string }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    acceptedBy: uuid('accepted_by').references(() => users.id),
    acceptedReason: text('accepted_reason'),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    /** who wrote the current version, and why (null for a first submission) */
    changedBy: uuid('changed_by')
      .notNull()
      .references(() => users.id),
    changeReason: text('change_reason'),
    /** SHA-256 of the canonical submitted content: same content again is a no-op */
    contentSha256: text('content_sha256').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('loans_institution_ref').on(t.institutionId, t.loanRef),
    index('loans_institution_disbursed').on(t.institutionId, t.disbursedOn),
    index('loans_project').on(t.projectId),
    index('loans_register').on(t.registerId),
    check('loans_principal_positive', sql`${t.principalFen} > 0`),
    check('loans_outstanding_range', sql`${t.outstandingFen} >= 0 and ${t.outstandingFen} <= ${t.principalFen}`),
    check('loans_dates_coherent', sql`${t.maturesOn} > ${t.disbursedOn}`),
    check('loans_eligibility', sql`${t.eligibility} in ('eligible','flagged','accepted')`),
  ],
);

/**
 * Earlier versions of loans, with who wrote each and why. Append-only: an amendment first archives
 * the current version here, then writes the new one into `loans`; a first submission writes nothing
 * here, so bulk ingestion stays one write per loan.
 */
export const loanVersions = pgTable(
  'loan_versions',
  {
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    version: integer('version').notNull(),
    content: jsonb('content').notNull(),
    contentSha256: text('content_sha256').notNull(),
    changedBy: uuid('changed_by')
      .notNull()
      .references(() => users.id),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.loanId, t.version] })],
);

/** Repayments of a loan's principal by the borrower; they lower the loan's outstanding principal. */
export const loanRepayments = pgTable(
  'loan_repayments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    loanId: uuid('loan_id')
      .notNull()
      .references(() => loans.id),
    repaidOn: date('repaid_on', { mode: 'string' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('loan_repayments_loan').on(t.loanId, t.repaidOn), check('loan_repayments_positive', sql`${t.amountFen} > 0`)],
);
