import { sql } from 'drizzle-orm';
import { type AnyPgColumn, bigint, check, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './institutions.js';

/**
 * The national register of projects (docs/projects.md): one entry per project, whichever banks lend to it.
 * Its name and province are those of the first loan that named it; its figures are each bank's own until an
 * operator decides them (four eyes), then the decided ones. An entry linked into another is `merged_into` it.
 */
export const projectRegister = pgTable(
  'project_register',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    creditCode: text('credit_code').notNull(),
    name: text('name').notNull(),
    province: text('province').notNull(),
    mergedInto: uuid('merged_into').references((): AnyPgColumn => projectRegister.id),
    decidedTotalInvestmentFen: bigint('decided_total_investment_fen', { mode: 'bigint' }),
    decidedAnnualReductionCentitonnes: bigint('decided_annual_reduction_centitonnes', { mode: 'bigint' }),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionReason: text('decision_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'project_register_decided_investment_positive',
      sql`${t.decidedTotalInvestmentFen} is null or ${t.decidedTotalInvestmentFen} > 0`,
    ),
    check(
      'project_register_decided_reduction_nonnegative',
      sql`${t.decidedAnnualReductionCentitonnes} is null or ${t.decidedAnnualReductionCentitonnes} >= 0`,
    ),
    check(
      'project_register_decision_whole',
      sql`(${t.decidedAt} is null) = (${t.decidedTotalInvestmentFen} is null) and (${t.decidedAt} is null) = (${t.decidedAnnualReductionCentitonnes} is null)`,
    ),
  ],
);

/** Each folded spelling (credit code, name, province) names exactly one entry. */
export const projectRegisterKeys = pgTable(
  'project_register_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    creditCode: text('credit_code').notNull(),
    nameKey: text('name_key').notNull(),
    provinceKey: text('province_key').notNull(),
    registerId: uuid('register_id')
      .notNull()
      .references(() => projectRegister.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('project_register_keys_key').on(t.creditCode, t.nameKey, t.provinceKey),
    index('project_register_keys_register').on(t.registerId),
  ],
);
