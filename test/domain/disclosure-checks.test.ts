/** The checks before signing, each kind firing and not firing at its threshold, with figures computed by hand. */
import { describe, expect, it } from 'vitest';
import { checkDisclosure, type CheckLoan } from '../../domain/disclosures/checks.js';
import { checkThresholdsOn } from '../../domain/policy/check-thresholds.js';

const thresholds = checkThresholdsOn('2022-09-30');
const loan = (over: Partial<CheckLoan>): CheckLoan => ({
  loanRef: 'L',
  principalFen: 100_000_000n, // 1,000,000.00 yuan = 100 万元
  ratePpm: 38_000n,
  lprPpm: 36_500n,
  disbursedOn: '2022-08-10',
  attributedCentitonnes: 100_000n, // 1,000.00 t: 10 t per 万元
  projectRef: 'P',
  projectReductionCentitonnes: 1_000_000n,
  ...over,
});
const checks = (loans: CheckLoan[]) =>
  checkDisclosure({ quarterEnd: '2022-09-30', loans, thresholds }).map((f) => `${f.kind}:${f.check}:${f.subject}`);

describe('checks before signing', () => {
  it('when two loans of one project attribute more than the project, then a validity finding; exactly the project, none', () => {
    // 600,000 + 400,000 ct = 10,000.00 t = the project's own
    expect(
      checks([loan({ loanRef: 'A', attributedCentitonnes: 600_000n }), loan({ loanRef: 'B', attributedCentitonnes: 400_000n })]),
    ).toEqual([]);
    expect(
      checks([loan({ loanRef: 'A', attributedCentitonnes: 600_000n }), loan({ loanRef: 'B', attributedCentitonnes: 400_001n })]),
    ).toEqual(['validity:attributed_above_project:project:P']);
  });

  it('when a loan was disbursed after the quarter, then a validity finding; on its last day, none', () => {
    expect(checks([loan({ disbursedOn: '2022-09-30' })])).toEqual([]);
    expect(checks([loan({ disbursedOn: '2022-10-01' })])).toEqual(['validity:loan_after_quarter:loan:L']);
  });

  it("when the book's weighted rate is more than 200 bp from its weighted LPR, then a quality finding; exactly 200 bp, none", () => {
    // (100 万元 × (3.65 − 1.65) + 100 万元 × (3.65 − 1.65)) ÷ 200 万元 = 200 bp under
    expect(checks([loan({ ratePpm: 16_500n }), loan({ loanRef: 'M', ratePpm: 16_500n, projectRef: 'Q' })])).toEqual([]);
    // 3.65 − 1.6499 = 200.01 bp under
    expect(checks([loan({ ratePpm: 16_499n })])).toEqual(['quality:rate_far_from_lpr:book']);
  });

  it('when a loan attributes more than 100 t per 万元, then a quality finding; exactly 100 t, none', () => {
    expect(checks([loan({ attributedCentitonnes: 1_000_000n })])).toEqual([]); // 10,000.00 t ÷ 100 万元 = 100 t
    expect(checks([loan({ attributedCentitonnes: 1_000_001n, projectReductionCentitonnes: 2_000_000n })])).toEqual([
      'quality:reduction_intensity:loan:L',
    ]);
  });
});
