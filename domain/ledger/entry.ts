/**
 * Double-entry journal entries: append-only, balanced, hash-chained. An entry's hash is SHA-256 of
 * its canonical content (a JSON array with a fixed field order; amounts as decimal strings of fen)
 * followed by the previous entry's hash. A correction is a mirror entry that reverses the original.
 */
import { createHash } from 'node:crypto';
import type { IsoDate } from '../dates.js';
import { fail, ok, type Result } from '../result.js';

export type EntryKind = 'disbursement' | 'accrual' | 'repayment' | 'rollover' | 'reversal';

export type Line = { account: string; facilityId: string | null; debitFen: bigint; creditFen: bigint };

export type EntryDraft = {
  institutionId: string;
  kind: EntryKind;
  effectiveOn: IsoDate;
  reversesId: string | null;
  memo: Record<string, string>;
  lines: Line[];
};

export type ChainedEntry = EntryDraft & { id: string; sequence: bigint; prevHash: string; hash: string };

/** The hash before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export const debit = (account: string, amountFen: bigint, facilityId: string | null = null): Line => ({
  account,
  facilityId,
  debitFen: amountFen,
  creditFen: 0n,
});
export const credit = (account: string, amountFen: bigint, facilityId: string | null = null): Line => ({
  account,
  facilityId,
  debitFen: 0n,
  creditFen: amountFen,
});

export type DraftRefusal = 'entry_has_no_lines' | 'line_amount_invalid' | 'entry_unbalanced';

/** Checks a draft: at least two lines, each one-sided and positive, debits equal to credits. Zero lines are dropped. */
export function checkDraft(draft: EntryDraft): Result<EntryDraft, DraftRefusal> {
  const lines = draft.lines.filter((l) => l.debitFen !== 0n || l.creditFen !== 0n);
  if (lines.length < 2) return fail('entry_has_no_lines', 'lines', 'an entry needs at least one debit and one credit');
  for (const l of lines) {
    if (l.debitFen < 0n || l.creditFen < 0n || l.debitFen > 0n === l.creditFen > 0n)
      return fail('line_amount_invalid', 'lines', `line on ${l.account} must be a positive debit or a positive credit`);
  }
  const { debitFen, creditFen } = totals(lines);
  if (debitFen !== creditFen) return fail('entry_unbalanced', 'lines', `debits ${debitFen} ≠ credits ${creditFen}`);
  return ok({ ...draft, lines });
}

export function totals(lines: readonly Line[]) {
  let debitFen = 0n;
  let creditFen = 0n;
  for (const l of lines) {
    debitFen += l.debitFen;
    creditFen += l.creditFen;
  }
  return { debitFen, creditFen };
}

/** The mirror of an entry: same accounts, debits and credits swapped. */
export function reversalOf(entry: ChainedEntry, effectiveOn: IsoDate, reason: string): EntryDraft {
  return {
    institutionId: entry.institutionId,
    kind: 'reversal',
    effectiveOn,
    reversesId: entry.id,
    memo: { reason, reversedKind: entry.kind, reversedSequence: entry.sequence.toString() },
    lines: entry.lines.map((l) => ({ account: l.account, facilityId: l.facilityId, debitFen: l.creditFen, creditFen: l.debitFen })),
  };
}

export function canonicalContent(e: Omit<ChainedEntry, 'hash' | 'prevHash'>): string {
  const memo = Object.keys(e.memo)
    .sort()
    .map((k) => [k, e.memo[k]]);
  return JSON.stringify([
    e.id,
    e.sequence.toString(),
    e.institutionId,
    e.kind,
    e.effectiveOn,
    e.reversesId,
    memo,
    e.lines.map((l) => [l.account, l.facilityId, l.debitFen.toString(), l.creditFen.toString()]),
  ]);
}

export function entryHash(e: Omit<ChainedEntry, 'hash' | 'prevHash'>, prevHash: string): string {
  return createHash('sha256').update(canonicalContent(e)).update('\n').update(prevHash).digest('hex');
}

export function chain(draft: EntryDraft, id: string, sequence: bigint, prevHash: string): ChainedEntry {
  const entry = { ...draft, id, sequence };
  return { ...entry, prevHash, hash: entryHash(entry, prevHash) };
}

export type ChainBreak = {
  sequence: string;
  entryId: string;
  problem: 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'entry_unbalanced';
};

/**
 * Verifies entries in sequence order, page by page: keep the returned state and pass it to the next
 * call. Stops at the first break.
 */
export function verifyPage(
  entries: readonly ChainedEntry[],
  state: { lastSequence: bigint; lastHash: string; byInstitution: Map<string, { debitFen: bigint; creditFen: bigint }> },
): ChainBreak | null {
  for (const e of entries) {
    const at = { sequence: e.sequence.toString(), entryId: e.id };
    if (e.sequence !== state.lastSequence + 1n) return { ...at, problem: 'sequence_gap' };
    if (e.prevHash !== state.lastHash) return { ...at, problem: 'prev_hash_mismatch' };
    if (entryHash(e, e.prevHash) !== e.hash) return { ...at, problem: 'hash_mismatch' };
    const t = totals(e.lines);
    if (t.debitFen !== t.creditFen) return { ...at, problem: 'entry_unbalanced' };
    const sums = state.byInstitution.get(e.institutionId) ?? { debitFen: 0n, creditFen: 0n };
    sums.debitFen += t.debitFen;
    sums.creditFen += t.creditFen;
    state.byInstitution.set(e.institutionId, sums);
    state.lastSequence = e.sequence;
    state.lastHash = e.hash;
  }
  return null;
}
