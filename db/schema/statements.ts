import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, integer, pgTable, pgView, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/**
 * A bank's statement format, effective-dated: from `effective_from` on, its statements print their
 * figures with these decimals, separators and wording variant (domain/disclosures/format.ts). A quarter
 * uses the setting in force on its last day. Setting the same date again replaces that day's setting.
 */
export const statementFormats = pgTable(
  'statement_formats',
  {
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    amountDecimals: integer('amount_decimals').notNull(),
    rateDecimals: integer('rate_decimals').notNull(),
    reductionDecimals: integer('reduction_decimals').notNull(),
    wholeAmountsWithoutDecimals: boolean('whole_amounts_without_decimals').notNull(),
    trimTrailingZeros: boolean('trim_trailing_zeros').notNull(),
    thousandsSeparators: boolean('thousands_separators').notNull(),
    variant: text('variant', { enum: ['A', 'B'] }).notNull(),
    setBy: uuid('set_by')
      .notNull()
      .references(() => users.id),
    setAt: timestamp('set_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.institutionId, t.effectiveFrom] }),
    check('statement_formats_amount_decimals', sql`${t.amountDecimals} between 0 and 4`),
    check('statement_formats_rate_decimals', sql`${t.rateDecimals} between 1 and 4`),
    check('statement_formats_reduction_decimals', sql`${t.reductionDecimals} between 0 and 4`),
    check('statement_formats_variant', sql`${t.variant} in ('A','B')`),
  ],
);

/**
 * The loans a disclosure version counted (its since-inception horizon), frozen when it was compiled, one
 * row per loan: a view over the version's set in `disclosure_loan_sets` (disclosures.ts), in loan-id order
 * (`ordinal`). The verifier's sample is drawn from it.
 */
export const disclosureLoans = pgView('disclosure_loans', {
  versionId: uuid('version_id').notNull(),
  loanId: uuid('loan_id').notNull(),
  loanRef: text('loan_ref').notNull(),
  principalFen: bigint('principal_fen', { mode: 'bigint' }).notNull(),
  ratePpm: bigint('rate_ppm', { mode: 'bigint' }).notNull(),
  disbursedOn: date('disbursed_on', { mode: 'string' }).notNull(),
  /** the loan's attributed annual reduction, rounded half up to the centitonne */
  attributedCentitonnes: bigint('attributed_centitonnes', { mode: 'bigint' }).notNull(),
  projectRef: text('project_ref').notNull(),
  subArea: text('sub_area').notNull(),
  /**
   * What names the project across banks (domain/disclosures/shared-projects.ts), frozen with the loan so
   * the national totals of published versions never move without a publication: the borrower's credit
   * code, the project's name and province, and the project's own annual reduction (centitonnes).
   * Not part of the list's hash. Loans frozen before these existed were filled from the loans at migration.
   */
  borrowerCreditCode: text('borrower_credit_code'),
  projectName: text('project_name'),
  province: text('province'),
  projectReductionCentitonnes: bigint('project_reduction_centitonnes', { mode: 'bigint' }),
  /**
   * The project's total investment (fen) frozen with the loan: the loan's exact attributed reduction is
   * project reduction × principal ÷ this (the national totals add these exactly). Not part of the list's hash.
   */
  projectTotalInvestmentFen: bigint('project_total_investment_fen', { mode: 'bigint' }),
}).existing();
