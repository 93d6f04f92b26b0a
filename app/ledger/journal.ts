/**
 * The journal's stories: booking entries (checked, hash-chained after the locked head, in the caller's
 * transaction), correcting one with a reversing entry, and the verification walk over the whole chain.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.js';
import {
  chainHead,
  entriesAfter,
  findEntry,
  insertEntries,
  institutionCodes,
  isReversed,
  lockJournal,
} from '../../db/repositories/journal.js';
import type { IsoDate } from '../../domain/dates.js';
import {
  chain,
  checkDraft,
  GENESIS_HASH,
  reversalOf,
  verifyPage,
  type ChainBreak,
  type ChainedEntry,
  type EntryDraft,
} from '../../domain/ledger/entry.js';
import { bookingDate, recordBooking } from '../bookings.js';
import type { ActorContext } from '../perform.js';
import { refuse } from '../refusals.js';

/**
 * Appends entries (in order) to the chain in the caller's transaction. An unbalanced draft is a bug
 * of the story that drafted it: it throws, never refuses.
 */
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
  await insertEntries(tx, chained, createdBy);
  return chained;
}

/** Corrects an entry with its mirror, dated today; the original stays. A reversal changes the ledger only, not tranche state. */
/** Reverses an entry on `on` (default today; never before the entry's own effective date). */
export async function reverseEntry(ctx: ActorContext, input: { entryId: string; reason: string; on?: IsoDate }): Promise<ChainedEntry> {
  const { tx } = ctx;
  const entry = await findEntry(tx, input.entryId);
  if (!entry) refuse('not_found', `journal entry ${input.entryId} not found`);
  // serialise with every other append first, so two reversals of one entry cannot both pass the check
  await lockJournal(tx);
  if (entry.kind === 'reversal')
    refuse('cannot_reverse_a_reversal', 'a reversal is corrected by booking the right entry again, not by reversing the reversal');
  if (await isReversed(tx, entry.id)) refuse('entry_already_reversed', `entry ${entry.sequence} has already been reversed`);
  const date = await bookingDate(ctx, {
    on: input.on,
    reason: input.reason,
    subjects: [{ kind: 'journal_entry', id: entry.id }],
    notBefore: entry.effectiveOn,
  });
  const [reversal] = await appendEntries(tx, [reversalOf(entry, date.on, input.reason)], ctx.actor.userId);
  await recordBooking(ctx, date, {
    command: 'reverse_entry',
    institutionId: entry.institutionId,
    created: [{ kind: 'journal_entry', id: reversal.id }],
  });
  return reversal;
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
 * the chain head points at the last entry (so a removed tail is noticed). Run it in one snapshot
 * (repeatable read) so appends during the walk do not move the head under it.
 */
export async function verifyJournal(tx: Tx): Promise<VerifyReport> {
  const state = { lastSequence: 0n, lastHash: GENESIS_HASH, byInstitution: new Map<string, { debitFen: bigint; creditFen: bigint }>() };
  let brokenAt: ChainBreak | null = null;
  let count = 0n;
  for (;;) {
    const entries = await entriesAfter(tx, state.lastSequence, 5000);
    if (entries.length === 0) break;
    brokenAt = verifyPage(entries, state);
    if (brokenAt) break;
    count += BigInt(entries.length);
  }
  if (!brokenAt) {
    const head = await chainHead(tx);
    if (head && (head.lastSequence !== state.lastSequence || head.lastHash !== state.lastHash)) {
      brokenAt = { sequence: head.lastSequence.toString(), entryId: '', problem: 'sequence_gap' };
    }
  }
  const codeOf = await institutionCodes(tx, [...state.byInstitution.keys()]);
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
