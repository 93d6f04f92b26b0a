import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chain,
  checkDraft,
  credit,
  debit,
  GENESIS_HASH,
  reversalOf,
  totals,
  verifyPage,
  type ChainedEntry,
  type EntryDraft,
} from '../../domain/ledger/entry.js';

const draft = (lines: EntryDraft['lines'], institutionId = 'bank-a'): EntryDraft => ({
  institutionId,
  kind: 'disbursement',
  effectiveOn: '2022-09-01',
  reversesId: null,
  memo: {},
  lines,
});

function chainAll(drafts: EntryDraft[]): ChainedEntry[] {
  let prev = GENESIS_HASH;
  return drafts.map((d, i) => {
    const e = chain(d, `id-${i}`, BigInt(i + 1), prev);
    prev = e.hash;
    return e;
  });
}
const freshState = () => ({
  lastSequence: 0n,
  lastHash: GENESIS_HASH,
  byInstitution: new Map<string, { debitFen: bigint; creditFen: bigint }>(),
});

describe('entry drafts', () => {
  const cases: [string, EntryDraft['lines'], string | null][] = [
    ['balanced', [debit('a', 5n), credit('b', 5n)], null],
    ['unbalanced by a fen', [debit('a', 5n), credit('b', 4n)], 'entry_unbalanced'],
    ['one-sided', [debit('a', 5n)], 'entry_has_no_lines'],
    ['with a negative debit', [debit('a', -5n), credit('b', -5n)], 'line_amount_invalid'],
    [
      'with a line on both sides',
      [{ account: 'a', facilityId: null, debitFen: 5n, creditFen: 5n }, credit('b', 0n), debit('c', 1n), credit('d', 1n)],
      'line_amount_invalid',
    ],
  ];
  for (const [name, lines, status] of cases) {
    it(`when an entry is ${name}, then ${status ?? 'it is accepted'}`, () => {
      const r = checkDraft(draft(lines));
      if (status) expect(r).toMatchObject({ ok: false, status });
      else expect(r.ok).toBe(true);
    });
  }
});

describe('the hash chain', () => {
  const lineArb = fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.bigInt({ min: 1n, max: 10n ** 15n }));
  const draftArb = fc
    .tuple(fc.array(lineArb, { minLength: 1, maxLength: 4 }), fc.constantFrom('bank-a', 'bank-b'))
    .map(([debits, bank]) => {
      const sum = debits.reduce((a, [, amount]) => a + amount, 0n);
      return draft([...debits.map(([acc, amount]) => debit(`${acc}:${bank}`, amount)), credit(`cash:${bank}`, sum)], bank);
    });

  it('when any balanced entries are chained, then the walk finds them intact and every bank balanced', () => {
    fc.assert(
      fc.property(fc.array(draftArb, { minLength: 1, maxLength: 30 }), (drafts) => {
        const state = freshState();
        expect(verifyPage(chainAll(drafts), state)).toBeNull();
        for (const sums of state.byInstitution.values()) expect(sums.debitFen).toBe(sums.creditFen);
      }),
    );
  });

  it('when any line of any entry is altered, then the walk names that entry', () => {
    fc.assert(
      fc.property(
        fc.array(draftArb, { minLength: 2, maxLength: 20 }),
        fc.nat(),
        fc.bigInt({ min: 1n, max: 1000n }),
        (drafts, pick, delta) => {
          const entries = chainAll(drafts);
          const i = pick % entries.length;
          const tampered = entries.map((e, j) =>
            j === i ? { ...e, lines: e.lines.map((l, k) => (k === 0 ? { ...l, debitFen: l.debitFen + delta } : l)) } : e,
          );
          const broken = verifyPage(tampered, freshState());
          expect(broken).toMatchObject({ sequence: String(i + 1), problem: 'hash_mismatch' });
        },
      ),
    );
  });

  it('when an entry is removed, then the walk reports the gap at the next one', () => {
    const entries = chainAll([
      draft([debit('a', 1n), credit('b', 1n)]),
      draft([debit('a', 2n), credit('b', 2n)]),
      draft([debit('a', 3n), credit('b', 3n)]),
    ]);
    expect(verifyPage([entries[0], entries[2]], freshState())).toMatchObject({ sequence: '3', problem: 'sequence_gap' });
  });

  it('when an entry is reversed, then the reversal mirrors it and the two net to zero on every account', () => {
    fc.assert(
      fc.property(draftArb, (d) => {
        const [original] = chainAll([d]);
        const reversal = reversalOf(original, '2022-10-01', 'booked twice');
        expect(checkDraft(reversal).ok).toBe(true);
        expect(reversal.reversesId).toBe(original.id);
        const net = new Map<string, bigint>();
        for (const l of [...original.lines, ...reversal.lines]) net.set(l.account, (net.get(l.account) ?? 0n) + l.debitFen - l.creditFen);
        for (const v of net.values()) expect(v).toBe(0n);
        expect(totals(reversal.lines)).toEqual(totals(original.lines));
      }),
    );
  });
});
