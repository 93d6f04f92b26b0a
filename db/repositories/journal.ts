/**
 * The journal's store: the chain head (locked `for update` to serialise appends), inserts of chained
 * entries, and reads. There is no update or delete of an entry here: entries are append-only. Chaining
 * and checking entries, reversing and the verification walk are app/ledger/journal.ts.
 */
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { GENESIS_HASH, type ChainedEntry } from '../../domain/ledger/entry.js';
import type { Tx } from '../client.js';
import { institutions, journalChain, journalEntries, journalLines } from '../schema/index.js';
import { isUuid } from '../../schemas/common.js';

export const GLOBAL_CHAIN = 'global';

/**
 * Locks the chain head for the rest of the transaction: appends are serialised on it, and a check made
 * after taking it (e.g. "is this entry already reversed?") cannot be overtaken by another append.
 */
export async function lockJournal(tx: Tx) {
  // one statement: the head is created the first time, and locked (an upsert locks the row it returns)
  const [head] = await tx
    .insert(journalChain)
    .values({ chain: GLOBAL_CHAIN, lastSequence: 0n, lastHash: GENESIS_HASH })
    .onConflictDoUpdate({ target: journalChain.chain, set: { chain: sql`excluded.chain` } })
    .returning();
  return head;
}

/**
 * Writes chained entries (already hashed, in sequence order) with their lines and moves the chain head to
 * the last one: one statement per batch of entries (the inserts are data-modifying parts of the head's
 * update; the lines' reference to their entry is checked at the statement's end).
 */
export async function insertEntries(tx: Tx, chained: readonly ChainedEntry[], createdBy: string | null) {
  if (chained.length === 0) return;
  const BATCH = 2000;
  for (let i = 0; i < chained.length; i += BATCH) {
    const slice = chained.slice(i, i + BATCH);
    const last = slice[slice.length - 1];
    const entries = tx.insert(journalEntries).values(
      slice.map((e) => ({
        id: e.id,
        sequence: e.sequence,
        institutionId: e.institutionId,
        kind: e.kind,
        effectiveOn: e.effectiveOn,
        reversesId: e.reversesId,
        memo: e.memo,
        createdBy,
        prevHash: e.prevHash,
        hash: e.hash,
      })),
    );
    const lines = tx.insert(journalLines).values(
      slice.flatMap((e) =>
        e.lines.map((l, n) => ({
          entryId: e.id,
          lineNo: n + 1,
          account: l.account,
          facilityId: l.facilityId,
          debitFen: l.debitFen,
          creditFen: l.creditFen,
        })),
      ),
    );
    const head = tx
      .update(journalChain)
      .set({ lastSequence: last.sequence, lastHash: last.hash })
      .where(eq(journalChain.chain, GLOBAL_CHAIN));
    await tx.execute(sql`with entries as (${entries.getSQL()}), lines as (${lines.getSQL()}) ${head.getSQL()}`);
  }
}

type EntryRow = typeof journalEntries.$inferSelect;

/** A stored entry: the chained entry and when it was booked. */
export type StoredEntry = ChainedEntry & { bookedAt: Date };

async function withLines(tx: Tx, rows: EntryRow[]): Promise<StoredEntry[]> {
  if (rows.length === 0) return [];
  const lines = await tx
    .select()
    .from(journalLines)
    .where(
      inArray(
        journalLines.entryId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(journalLines.entryId), asc(journalLines.lineNo));
  const byEntry = new Map<string, ChainedEntry['lines']>();
  for (const l of lines) {
    const list = byEntry.get(l.entryId) ?? [];
    list.push({ account: l.account, facilityId: l.facilityId, debitFen: l.debitFen, creditFen: l.creditFen });
    byEntry.set(l.entryId, list);
  }
  return rows.map((r) => ({
    id: r.id,
    sequence: r.sequence,
    institutionId: r.institutionId,
    kind: r.kind,
    effectiveOn: r.effectiveOn,
    reversesId: r.reversesId,
    memo: r.memo,
    prevHash: r.prevHash,
    hash: r.hash,
    lines: byEntry.get(r.id) ?? [],
    bookedAt: r.createdAt,
  }));
}

export async function findEntry(tx: Tx, id: string): Promise<StoredEntry | null> {
  if (!isUuid(id)) return null;
  const rows = await tx.select().from(journalEntries).where(eq(journalEntries.id, id)).limit(1);
  const [entry] = await withLines(tx, rows);
  return entry ?? null;
}

export async function isReversed(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.select({ id: journalEntries.id }).from(journalEntries).where(eq(journalEntries.reversesId, id)).limit(1);
  return rows.length > 0;
}

/** A page of entries, newest first, optionally for one institution and kind; `before` is a sequence. */
export async function listEntries(tx: Tx, filter: { institutionId?: string; kind?: ChainedEntry['kind']; before?: bigint; limit: number }) {
  const conditions = [
    filter.institutionId ? eq(journalEntries.institutionId, filter.institutionId) : undefined,
    filter.kind ? eq(journalEntries.kind, filter.kind) : undefined,
    filter.before !== undefined ? lt(journalEntries.sequence, filter.before) : undefined,
  ].filter((c) => c !== undefined);
  const rows = await tx
    .select()
    .from(journalEntries)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(journalEntries.sequence))
    .limit(filter.limit + 1);
  const entries = await withLines(tx, rows.slice(0, filter.limit));
  return { entries, more: rows.length > filter.limit };
}

/** Derived balances (debits − credits) per account, for one institution or all. */
export async function accountBalances(tx: Tx, institutionId?: string) {
  const rows = await tx
    .select({
      account: journalLines.account,
      debitFen: sql<string>`sum(${journalLines.debitFen})::text`,
      creditFen: sql<string>`sum(${journalLines.creditFen})::text`,
    })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(institutionId ? eq(journalEntries.institutionId, institutionId) : undefined)
    .groupBy(journalLines.account)
    .orderBy(asc(journalLines.account));
  return rows.map((r) => ({ account: r.account, debitFen: BigInt(r.debitFen), creditFen: BigInt(r.creditFen) }));
}

/** Entries after `sequence`, in sequence order, with their lines (a page of the verification walk). */
export async function entriesAfter(tx: Tx, sequence: bigint, limit: number): Promise<ChainedEntry[]> {
  const rows = await tx
    .select()
    .from(journalEntries)
    .where(gt(journalEntries.sequence, sequence))
    .orderBy(asc(journalEntries.sequence))
    .limit(limit);
  return withLines(tx, rows);
}

/** The chain head as stored (null before the first append). */
export async function chainHead(tx: Tx) {
  const [head] = await tx.select().from(journalChain).where(eq(journalChain.chain, GLOBAL_CHAIN));
  return head ?? null;
}

/** Institution codes by id, for the given ids (every institution when omitted). */
export async function institutionCodes(tx: Tx, ids?: readonly string[]): Promise<Map<string, string>> {
  if (ids && ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: institutions.id, code: institutions.code })
    .from(institutions)
    .where(ids ? inArray(institutions.id, [...new Set(ids)]) : undefined);
  return new Map(rows.map((r) => [r.id, r.code]));
}
