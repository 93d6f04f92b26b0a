/**
 * The audit trail's context and rows. Who acts, the request and the reason are set per transaction
 * (`set_config(..., true)`: they end with it) and read by the audit triggers (migration), which write
 * one record per changed statement and table, hash-chained per transaction.
 */
import { sql } from 'drizzle-orm';
import type { Tx } from '../client.js';

import type { AuditWho } from '../../platform/audit-scope.js';

export type AuditContext = AuditWho;

/** Names who acts for the rest of the transaction. */
export async function setAuditContext(tx: Tx, context: AuditContext): Promise<void> {
  await tx.execute(
    sql`select set_config('cerf.actor', ${context.userId ?? ''}, true), set_config('cerf.institution', ${context.institutionId ?? ''}, true),
        set_config('cerf.via', ${context.via ?? ''}, true), set_config('cerf.request', ${context.requestId ?? ''}, true)`,
  );
}

/** The reason recorded with the changes that follow in this transaction. */
export async function setAuditReason(tx: Tx, reason: string): Promise<void> {
  await tx.execute(sql`select set_config('cerf.reason', ${reason}, true)`);
}
