import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';
import { facilities } from './refinancing.js';

/**
 * The double-entry journal: append-only entries in one global hash chain. Each entry's `hash` is the
 * SHA-256 of its canonical content (domain/ledger/entry.ts) and the previous entry's hash; appends
 * are serialised by locking the chain's head row (`journal_chain`) for the transaction.
 */
export const journalChain = pgTable('journal_chain', {
  chain: text('chain').primaryKey(),
  lastSequence: bigint('last_sequence', { mode: 'bigint' }).notNull(),
  lastHash: text('last_hash').notNull(),
});

export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sequence: bigint('sequence', { mode: 'bigint' }).notNull().unique(),
    /** the bank whose accounts the entry moves */
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', { enum: ['disbursement', 'accrual', 'repayment', 'rollover', 'reversal'] }).notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    /** the entry this one reverses (kind 'reversal'); an entry is reversed at most once */
    reversesId: uuid('reverses_id')
      .unique()
      .references((): AnyPgColumn => journalEntries.id),
    memo: jsonb('memo')
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdBy: uuid('created_by').references(() => users.id),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('journal_entries_institution').on(t.institutionId, t.sequence),
    check('journal_entries_kind', sql`${t.kind} in ('disbursement','accrual','repayment','rollover','reversal')`),
  ],
);

export const journalLines = pgTable(
  'journal_lines',
  {
    entryId: uuid('entry_id')
      .notNull()
      .references(() => journalEntries.id),
    lineNo: integer('line_no').notNull(),
    account: text('account').notNull(),
    /** the tranche the line concerns, when it concerns one */
    facilityId: uuid('facility_id').references(() => facilities.id),
    debitFen: bigint('debit_fen', { mode: 'bigint' }).notNull(),
    creditFen: bigint('credit_fen', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.lineNo] }),
    index('journal_lines_account').on(t.account),
    check('journal_lines_one_side', sql`${t.debitFen} >= 0 and ${t.creditFen} >= 0 and (${t.debitFen} = 0) <> (${t.creditFen} = 0)`),
  ],
);
