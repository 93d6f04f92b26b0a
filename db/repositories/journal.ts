/**
 * The journal's store: appends (serialised on the chain head row, `select … for update`), reads and
 * the verification walk. There is no update or delete here: entries are append-only.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { chain, checkDraft, GENESIS_HASH, verifyPage, type ChainBreak, type ChainedEntry, type EntryDraft } from '../../domain/ledger/entry.js';
import type { Tx } from '../client.js';
import { institutions, journalChain, journalEntries, journalLines } from '../schema/index.js';

export const GLOBAL_CHAIN = 'global';

/**
 * Locks the chain head for the rest of the transaction: appends are serialised on it, and a check made
 * after taking it (e.g. "is this entry already reversed?") cannot be overtaken by another append.
 */
export async function lockJournal(tx: Tx) {
  await tx.insert(journalChain).values({ chain: GLOBAL_CHAIN, lastSequence: 0n, lastHash: GENESIS_HASH }).onConflictDoNothing();
  const [head] = await tx.select().from(journalChain).where(eq(journalChain.chain, GLOBAL_CHAIN)).for('update');
  return head;
}

/** Appends entries (in order) to the chain in the caller's transaction. Throws on an unbalanced draft (a bug). */
export async function appendEntries(tx: Tx, drafts: readonly EntryDraft[], createdBy: string | null): Promise<ChainedEntry[]> {
  if (drafts.length === 0) return [];
  const checked = drafts.map((d) => {
    const r = checkDraft(d);
    if (!r.ok) throw new Error(`journal: refusing a ${d.kind} entry: ${r.status} ${r.message ?? ''}`);
    return r.value;
  });
  const head = await lockJournal(tx);
  let sequence = head.lastSequence;
  let prevHash = head.lastHash;
  const chained: ChainedEntry[] = [];
  for (const draft of checked) {
    sequence += 1n;
    const entry = chain(draft, randomUUID(), sequence, prevHash);
    chained.push(entry);
    prevHash = entry.hash;
  }
  const BATCH = 2000;
  for (let i = 0; i < chained.length; i += BATCH) {
    const slice = chained.slice(i, i + BATCH);
    await tx.insert(journalEntries).values(
      slice.map((e) => ({ id: e.id, sequence: e.sequence, institutionId: e.institutionId, kind: e.kind, effectiveOn: e.effectiveOn, reversesId: e.reversesId, memo: e.memo, createdBy, prevHash: e.prevHash, hash: e.hash })),
    );
    await tx.insert(journalLines).values(slice.flatMap((e) => e.lines.map((l, n) => ({ entryId: e.id, lineNo: n + 1, account: l.account, facilityId: l.facilityId, debitFen: l.debitFen, creditFen: l.creditFen }))));
  }
  await tx.update(journalChain).set({ lastSequence: sequence, lastHash: prevHash }).where(eq(journalChain.chain, GLOBAL_CHAIN));
  return chained;
}

type EntryRow = typeof journalEntries.$inferSelect;

async function withLines(tx: Tx, rows: EntryRow[]): Promise<ChainedEntry[]> {
  if (rows.length === 0) return [];
  const lines = await tx
    .select()
    .from(journalLines)
    .where(inArray(journalLines.entryId, rows.map((r) => r.id)))
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
  }));
}

export async function findEntry(tx: Tx, id: string): Promise<ChainedEntry | null> {
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

export type VerifyReport = {
  intact: boolean;
  entries: string;
  lastSequence: string;
  lastHash: string;
  brokenAt: ChainBreak | null;
  institutions: { code: string; debitFen: bigint; creditFen: bigint; balanced: boolean }[];
};

/**
 * Walks the whole chain in sequence order (pages of 5,000): recomputes every hash, checks each
 * entry links to the one before, balances, and sums debits and credits per institution. Also checks
 * the chain head points at the last entry (so a removed tail is noticed).
 */
export async function verifyJournal(tx: Tx): Promise<VerifyReport> {
  const state = { lastSequence: 0n, lastHash: GENESIS_HASH, byInstitution: new Map<string, { debitFen: bigint; creditFen: bigint }>() };
  let brokenAt: ChainBreak | null = null;
  let count = 0n;
  for (;;) {
    const rows = await tx.select().from(journalEntries).where(gt(journalEntries.sequence, state.lastSequence)).orderBy(asc(journalEntries.sequence)).limit(5000);
    if (rows.length === 0) break;
    const entries = await withLines(tx, rows);
    brokenAt = verifyPage(entries, state);
    if (brokenAt) break;
    count += BigInt(entries.length);
  }
  if (!brokenAt) {
    const [head] = await tx.select().from(journalChain).where(eq(journalChain.chain, GLOBAL_CHAIN));
    if (head && (head.lastSequence !== state.lastSequence || head.lastHash !== state.lastHash)) {
      brokenAt = { sequence: head.lastSequence.toString(), entryId: '', problem: 'sequence_gap' };
    }
  }
  const codes = await tx.select({ id: institutions.id, code: institutions.code }).from(institutions);
  const codeOf = new Map(codes.map((c) => [c.id, c.code]));
  const perInstitution = [...state.byInstitution.entries()]
    .map(([id, s]) => ({ code: codeOf.get(id) ?? id, debitFen: s.debitFen, creditFen: s.creditFen, balanced: s.debitFen === s.creditFen }))
    .sort((a, b) => a.code.localeCompare(b.code));
  return {
    intact: brokenAt === null && perInstitution.every((i) => i.balanced),
    entries: count.toString(),
    lastSequence: state.lastSequence.toString(),
    lastHash: state.lastHash,
    brokenAt,
    institutions: perInstitution,
  };
}
