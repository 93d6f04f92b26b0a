import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The audit trail: one record per changing statement and table, written by triggers (migration) in
 * the same transaction as the change: who (user, institution, key or session), when, what (table,
 * action, the rows' ids and changed fields before and after), why (the reason set for the
 * transaction) and the request id. Append-only (a trigger refuses UPDATE and DELETE, but the sealing
 * of the chain fields once) and hash-chained: at commit each transaction's records take the next
 * positions of one chain (`audit_chain` head locked only then), hash = SHA-256(previous hash ‖ content).
 */
export const auditRecords = pgTable(
  'audit_records',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txid: bigint('txid', { mode: 'number' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid('actor_user_id'),
    institutionId: uuid('institution_id'),
    /** `key:<id>`, `session:<id>`, or null for the service itself (a job, a migration) */
    via: text('via'),
    requestId: text('request_id'),
    reason: text('reason'),
    resource: text('resource').notNull(),
    action: text('action').notNull(),
    rowCount: integer('row_count').notNull(),
    /** [{ id, before, after }]: whole rows for inserts and deletes, the changed fields for updates */
    changes: jsonb('changes').notNull(),
    /** the institutions the changed rows belong to (a bank reads its own) */
    institutionIds: uuid('institution_ids').array(),
    chainPos: bigint('chain_pos', { mode: 'number' }),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_records_resource').on(t.resource, t.seq),
    index('audit_records_chain').on(t.chainPos),
    index('audit_records_txid').on(t.txid),
  ],
);
