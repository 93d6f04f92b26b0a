/** Journal views: an entry, the verification report, balances. Pure: rows in, the API's JSON out. */
import type { z } from 'zod';
import type { VerifyReport } from '../../app/ledger/journal.js';
import type { ChainedEntry } from '../../domain/ledger/entry.js';
import { formatYuan } from '../../domain/money.js';
import type { JournalEntryView } from '../../schemas/journal.js';

/** An entry with its bank's code (the id itself when the code is unknown). */
export const presentEntry = (
  e: ChainedEntry & { bookedAt?: Date },
  codeOf: ReadonlyMap<string, string>,
): z.infer<typeof JournalEntryView> => ({
  id: e.id,
  sequence: e.sequence.toString(),
  institution: codeOf.get(e.institutionId) ?? e.institutionId,
  kind: e.kind,
  effectiveOn: e.effectiveOn,
  bookedAt: e.bookedAt ? e.bookedAt.toISOString() : null,
  reversesId: e.reversesId,
  memo: e.memo,
  lines: e.lines.map((l) => ({
    account: l.account,
    facilityId: l.facilityId,
    debit: formatYuan(l.debitFen),
    credit: formatYuan(l.creditFen),
  })),
  prevHash: e.prevHash,
  hash: e.hash,
});

/** The verification report, showing the sums of `visible` institutions only (the chain is checked whole). */
export const presentVerifyReport = (report: VerifyReport, visible: (code: string) => boolean) => ({
  ...report,
  institutions: report.institutions
    .filter((i) => visible(i.code))
    .map((i) => ({ code: i.code, debits: formatYuan(i.debitFen), credits: formatYuan(i.creditFen), balanced: i.balanced })),
});

export const presentBalances = (institution: string | null, rows: readonly { account: string; debitFen: bigint; creditFen: bigint }[]) => ({
  institution,
  accounts: rows.map((r) => ({
    account: r.account,
    debit: formatYuan(r.debitFen),
    credit: formatYuan(r.creditFen),
    balance: formatYuan(r.debitFen - r.creditFen),
  })),
});
