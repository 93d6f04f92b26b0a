/** Partial approvals cover whole loans; a tranche above 60 % of its loans' outstanding principal owes the excess. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyOn } from '../../domain/policy/index.js';
import { coverWholeLoans, poolShortfallFen } from '../../domain/refinancing/support.js';

const loans = (...supportsFen: bigint[]) => supportsFen.map((supportFen, i) => ({ loanId: `L${i + 1}`, supportFen }));
const ids = (ls: { loanId: string }[]) => ls.map((l) => l.loanId);

describe('a partial approval covers whole loans', () => {
  it('when 600,000.00 of a 1,200,000.00 request over two loans is approved, then the first loan alone is covered', () => {
    const r = coverWholeLoans(loans(60_000_000n, 60_000_000n), 60_000_000n);
    expect(r.ok && { covered: ids(r.value.covered), left: ids(r.value.left), approvedFen: r.value.approvedFen }).toEqual({
      covered: ['L1'],
      left: ['L2'],
      approvedFen: 60_000_000n,
    });
  });

  it('when a loan does not fit, then it is skipped and a later smaller one is covered', () => {
    const r = coverWholeLoans(loans(50n, 80n, 30n), 90n);
    expect(r.ok && [ids(r.value.covered), r.value.approvedFen]).toEqual([['L1', 'L3'], 80n]);
  });

  it("when the approval is smaller than every loan's support, then approval_covers_no_loan names the smallest support", () => {
    const r = coverWholeLoans(loans(60_000_000n, 45_000_000n), 1n);
    expect(r).toMatchObject({ ok: false, status: 'approval_covers_no_loan', path: 'amount' });
    expect(!r.ok && r.message).toContain('450000.00');
  });

  it('when any approval is given, then the covered support never exceeds it and every loan is covered or left exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        (supports, approved) => {
          const listed = loans(...supports);
          const r = coverWholeLoans(listed, approved);
          if (!r.ok) return supports.every((s) => s > approved);
          const sum = r.value.covered.reduce((a, l) => a + l.supportFen, 0n);
          return (
            sum === r.value.approvedFen &&
            sum <= approved &&
            r.value.covered.length + r.value.left.length === listed.length &&
            r.value.left.every((l) => l.supportFen > 0n)
          );
        },
      ),
    );
  });
});

describe('pool shortfall', () => {
  const policy = policyOn('2026-02-01')!;
  it.each([
    ['the loans are untouched', 600_000_00n, 1_000_000_00n, 0n],
    ['a loan was repaid in part', 600_000_00n, 800_000_00n, 120_000_00n],
    ['the loans matured', 600_000_00n, 0n, 600_000_00n],
    ['the tranche was repaid in part already', 400_000_00n, 800_000_00n, 0n],
  ])('when %s, then the tranche owes its excess over 60 %% of the outstanding principal', (_name, trancheFen, poolFen, owedFen) => {
    expect(poolShortfallFen(trancheFen, poolFen, policy)).toBe(owedFen);
  });
});
