/**
 * The audit trail's context and rows. Who acts, the request and the reason are set per transaction
 * (`set_config(..., true)`: they end with it) and read by the audit triggers (migration), which write
 * one record per changed statement and table, hash-chained per transaction.
 */
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { auditRecords } from '../schema/index.js';
import type { Tx } from '../client.js';

/** Who acts is named when a transaction begins (`db/client.ts`, `nameWhoActs`). */

/** The reason recorded with the changes that follow in this transaction. */
export async function setAuditReason(tx: Tx, reason: string): Promise<void> {
  await tx.execute(sql`select set_config('cerf.reason', ${reason}, true)`);
}

export type AuditRecordRow = typeof auditRecords.$inferSelect;

/** A page of records, newest first, before `beforeSeq`; `limit + 1` rows tell whether more follow. */
export async function listAuditRecords(
  tx: Tx,
  filter: {
    resource?: string;
    id?: string;
    actor?: string;
    institutionId?: string;
    from?: Date;
    to?: Date;
    beforeSeq?: number;
    limit: number;
  },
): Promise<AuditRecordRow[]> {
  const conditions = [
    filter.resource ? eq(auditRecords.resource, filter.resource) : undefined,
    filter.id ? sql`${auditRecords.changes} @> ${JSON.stringify([{ id: filter.id }])}::jsonb` : undefined,
    filter.actor ? eq(auditRecords.actorUserId, filter.actor) : undefined,
    filter.institutionId
      ? sql`(${auditRecords.institutionId} = ${filter.institutionId} or ${filter.institutionId}::uuid = any(${auditRecords.institutionIds}))`
      : undefined,
    filter.from ? gte(auditRecords.at, filter.from) : undefined,
    filter.to ? lt(auditRecords.at, filter.to) : undefined,
    filter.beforeSeq !== undefined ? lt(auditRecords.seq, filter.beforeSeq) : undefined,
  ].filter((c) => c !== undefined);
  return tx
    .select()
    .from(auditRecords)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditRecords.seq))
    .limit(filter.limit + 1);
}

/**
 * Every record the filter selects, newest first, a page of `pageSize` at a time (keyset on `seq`, so
 * each page is one indexed read and nothing is held but the page being written).
 */
export async function* auditRecordPages(
  tx: Tx,
  filter: Omit<Parameters<typeof listAuditRecords>[1], 'beforeSeq' | 'limit'>,
  pageSize: number,
): AsyncGenerator<AuditRecordRow[]> {
  let beforeSeq: number | undefined;
  for (;;) {
    const rows = await listAuditRecords(tx, { ...filter, beforeSeq, limit: pageSize });
    const page = rows.slice(0, pageSize);
    if (page.length) yield page;
    if (rows.length <= pageSize) return;
    beforeSeq = page[page.length - 1].seq;
  }
}

/** A page of the chain in order from `afterPos`, with each record's content as the hash covers it. */
export async function auditChainPage(
  tx: Tx,
  afterPos: number,
  limit: number,
): Promise<{ chainPos: number; prevHash: string; hash: string; content: string }[]> {
  const result = await tx.execute(
    sql`select chain_pos::text as "chainPos", prev_hash as "prevHash", hash, audit_content(a) as content
        from audit_records a where chain_pos > ${afterPos} order by chain_pos limit ${limit}`,
  );
  const rows = (result as unknown as { rows: { chainPos: string; prevHash: string; hash: string; content: string }[] }).rows;
  return rows.map((r) => ({ ...r, chainPos: Number(r.chainPos) }));
}

/** The chain head and how many records are not sealed (transactions in flight). */
export async function auditChainHead(tx: Tx): Promise<{ lastPos: number; lastHash: string; records: number }> {
  const result = await tx.execute(
    sql`select last_pos::text as "lastPos", last_hash as "lastHash", (select count(*) from audit_records where hash is not null)::text as records
        from audit_chain where chain = 'audit'`,
  );
  const [row] = (result as unknown as { rows: { lastPos: string; lastHash: string; records: string }[] }).rows;
  return { lastPos: Number(row.lastPos), lastHash: row.lastHash, records: Number(row.records) };
}

/** The chain head alone (position and hash), without counting the records. */
export async function auditChainTip(tx: Tx): Promise<{ lastPos: number; lastHash: string }> {
  const result = await tx.execute(sql`select last_pos::text as "lastPos", last_hash as "lastHash" from audit_chain where chain = 'audit'`);
  const [row] = (result as unknown as { rows: { lastPos: string; lastHash: string }[] }).rows;
  return { lastPos: Number(row.lastPos), lastHash: row.lastHash };
}

/**
 * What names this database's audit trail for anchors kept outside it: the database's name and the hash
 * of the chain's first record (null while the chain is empty).
 */
export async function auditChainIdentity(tx: Tx): Promise<string | null> {
  const result = await tx.execute(sql`select current_database() as name, (select hash from audit_records where chain_pos = 1) as first`);
  const [row] = (result as unknown as { rows: { name: string; first: string | null }[] }).rows;
  return row.first ? `${row.name}:${row.first}` : null;
}
