import { sql } from 'drizzle-orm';
import { bigint, check, date, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { PolicyChangeData } from '../../domain/policy/changes.js';
import { users } from './institutions.js';

/**
 * Operators' changes to the policy data (LPR fixings, policy versions, taxonomy versions), proposed by
 * one operator and confirmed or declined by another: the audit trail and, for the confirmed rows, the
 * data merged into the built-in policy data (domain/policy/registry.ts). Rows are never deleted; a
 * decision is written once. At most one live (pending or confirmed) change per kind and date, and per
 * kind and version name.
 */
export const policyChanges = pgTable(
  'policy_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** order of proposal (lists and cursors) */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    kind: text('kind', {
      enum: ['lpr_fixing', 'policy_version', 'taxonomy_version', 'institution_categories', 'check_thresholds'],
    }).notNull(),
    /** the fixing's date or the version's `effectiveFrom` */
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    /** a policy version's id or a taxonomy version's name; null for a fixing */
    versionId: text('version_id'),
    /** the change as the API states it (decimal strings) */
    data: jsonb('data').$type<PolicyChangeData>().notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'confirmed', 'declined'] })
      .notNull()
      .default('pending'),
    proposedBy: uuid('proposed_by')
      .notNull()
      .references(() => users.id),
    proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull(),
    decidedBy: uuid('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** the decline's reason, or the confirming operator's comment */
    decisionNote: text('decision_note'),
  },
  (t) => [
    uniqueIndex('policy_changes_live_date')
      .on(t.kind, t.effectiveOn)
      .where(sql`${t.status} <> 'declined'`),
    uniqueIndex('policy_changes_live_version')
      .on(t.kind, t.versionId)
      .where(sql`${t.status} <> 'declined' and ${t.versionId} is not null`),
    uniqueIndex('policy_changes_seq').on(t.seq),
    index('policy_changes_status').on(t.status, t.seq),
    check(
      'policy_changes_kind',
      sql`${t.kind} in ('lpr_fixing','policy_version','taxonomy_version','institution_categories','check_thresholds')`,
    ),
    check('policy_changes_status_values', sql`${t.status} in ('pending','confirmed','declined')`),
    check(
      'policy_changes_decided',
      sql`(${t.status} = 'pending') = (${t.decidedBy} is null) and (${t.decidedBy} is null) = (${t.decidedAt} is null)`,
    ),
    // four eyes, even if application code were wrong: the proposer never confirms
    check('policy_changes_four_eyes', sql`${t.status} <> 'confirmed' or ${t.decidedBy} <> ${t.proposedBy}`),
  ],
);
