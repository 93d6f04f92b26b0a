/** The quarter's fan-out in parts: every bank in exactly one part, no part empty, the parts about even. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAN_OUT_PARTS, FAN_OUT_SPLIT_FROM, fanOutPartCount, fanOutParts } from '../../domain/disclosures/fan-out-parts.js';

const banksArb = fc.uniqueArray(fc.record({ code: fc.stringMatching(/^[A-Z]{2,6}$/), estimatedLoans: fc.nat({ max: 50_000 }) }), {
  selector: (b) => b.code,
  maxLength: 70,
});

describe('the fan-out in parts', () => {
  it('when banks of any sizes are split, then each is in exactly one part, no part is empty and no part outweighs another by more than one bank', () => {
    fc.assert(
      fc.property(banksArb, fc.integer({ min: 1, max: 4 }), (banks, parts) => {
        const split = fanOutParts(banks, parts);
        expect(split.length).toBe(Math.min(parts, banks.length));
        expect(split.every((part) => part.length > 0)).toBe(true);
        expect(
          split
            .flat()
            .map((b) => b.code)
            .sort(),
        ).toEqual(banks.map((b) => b.code).sort());
        const weights = split.map((part) => part.reduce((n, b) => n + b.estimatedLoans, 0));
        const largest = Math.max(0, ...banks.map((b) => b.estimatedLoans));
        if (weights.length) expect(Math.max(...weights) - Math.min(...weights)).toBeLessThanOrEqual(largest);
        // each part in code order (the jobs it writes are too)
        for (const part of split) expect(part.map((b) => b.code)).toEqual(part.map((b) => b.code).sort());
      }),
    );
  });
  it('when 30 banks of one size are split in two, then each part has 15', () => {
    const banks = Array.from({ length: 30 }, (_, i) => ({ code: `B${String(i).padStart(2, '0')}`, estimatedLoans: 330 }));
    expect(fanOutParts(banks, 2).map((p) => p.length)).toEqual([15, 15]);
  });
  it('when a quarter has few loans, then one part reads them all; from FAN_OUT_SPLIT_FROM loans, two parts', () => {
    expect(fanOutPartCount(0)).toBe(1);
    expect(fanOutPartCount(FAN_OUT_SPLIT_FROM - 1)).toBe(1);
    expect(fanOutPartCount(FAN_OUT_SPLIT_FROM)).toBe(FAN_OUT_PARTS);
  });
});
