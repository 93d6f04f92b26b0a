import { sql } from 'drizzle-orm';
import { bigint, check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { institutions, users } from './institutions.js';

/**
 * Four eyes: a consequential operator act proposed by one operator (its kind and its validated input,
 * as the API states it) that takes effect when a different operator confirms it. Rows are never
 * deleted; a decision is written once. `expiresAt` is fixed at the proposal (the policy's
 * `approvalExpiryDays`); a pending row past it is expired and can no longer be confirmed.
 */
export const approvals = pgTable(
  'approvals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** order of proposal (lists and cursors) */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    kind: text('kind').notNull(),
    /** the act's input, JSON-safe (amounts as strings) */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    /** what the act concerns, e.g. `operation` `2026Q1`; the institution when it concerns one */
    resource: text('resource').notNull(),
    resourceId: text('resource_id').notNull(),
    institutionId: uuid('institution_id').references(() => institutions.id),
    summary: text('summary').notNull(),
    reason: text('reason'),
    status: text('status', { enum: ['pending', 'confirmed', 'declined', 'withdrawn'] })
      .notNull()
      .default('pending'),
    proposedBy: uuid('proposed_by')
      .notNull()
      .references(() => users.id),
    proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** the decline's or withdrawal's reason, or the confirming operator's comment */
    decisionNote: text('decision_note'),
    /** what the act made, once confirmed (no secret: e.g. a user's id, never its key) */
    result: jsonb('result').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('approvals_status').on(t.status, t.seq),
    index('approvals_resource').on(t.resource, t.resourceId),
    check('approvals_status_values', sql`${t.status} in ('pending','confirmed','declined','withdrawn')`),
    check(
      'approvals_decided',
      sql`(${t.status} = 'pending') = (${t.decidedBy} is null) and (${t.decidedBy} is null) = (${t.decidedAt} is null)`,
    ),
    // four eyes, even if application code were wrong: the proposer never confirms
    check('approvals_four_eyes', sql`${t.status} <> 'confirmed' or ${t.decidedBy} <> ${t.proposedBy}`),
    check('approvals_withdrawn_by_proposer', sql`${t.status} <> 'withdrawn' or ${t.decidedBy} = ${t.proposedBy}`),
  ],
);
