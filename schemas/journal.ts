/** Shapes of the journal: entries with their lines, derived balances, the verification report. */
import { z } from 'zod';
import { BookingDateFields, PageQuery } from './common.js';

export const JournalKind = z.enum(['disbursement', 'accrual', 'repayment', 'rollover', 'reversal']);

export const JournalEntryView = z
  .object({
    id: z.string(),
    sequence: z.string(),
    institution: z.string(),
    kind: JournalKind,
    effectiveOn: z.string().describe('the day the entry is booked for'),
    bookedAt: z.string().nullable().describe('when it was booked (absent on the answer that creates it)'),
    reversesId: z.string().nullable(),
    memo: z.record(z.string(), z.string()),
    lines: z.array(z.object({ account: z.string(), facilityId: z.string().nullable(), debit: z.string(), credit: z.string() })),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'JournalEntry' });

export const JournalListQuery = PageQuery.extend({ kind: JournalKind.optional(), institution: z.string().max(32).optional() });

export const BalancesView = z.object({
  institution: z.string().nullable(),
  accounts: z.array(
    z.object({ account: z.string(), debit: z.string(), credit: z.string(), balance: z.string().describe('debits − credits') }),
  ),
});

export const VerifyView = z
  .object({
    intact: z.boolean(),
    entries: z.string(),
    lastSequence: z.string(),
    lastHash: z.string(),
    brokenAt: z
      .object({
        sequence: z.string(),
        entryId: z.string(),
        problem: z.enum(['sequence_gap', 'prev_hash_mismatch', 'hash_mismatch', 'entry_unbalanced']),
      })
      .nullable(),
    institutions: z.array(z.object({ code: z.string(), debits: z.string(), credits: z.string(), balanced: z.boolean() })),
  })
  .meta({ id: 'JournalVerification' });

export const ReverseBody = z
  .object({ reason: z.string().min(1).max(2000), on: BookingDateFields.on })
  .strict()
  .meta({ id: 'ReverseEntry' });
