/** The checks before signing, each kind firing and not firing at its threshold, with figures computed by hand. */
import { describe, expect, it } from 'vitest';
import { checkDisclosure, type CheckInput, type CheckLoan } from '../../domain/disclosures/checks.js';
import {
  BUILT_IN_POLICY_DATA,
  buildPolicyData,
  CHECK_THRESHOLD_VERSIONS,
  checkPolicyChange,
  checkThresholdsOn,
  parseCheckThresholds,
  type CheckThresholdsChange,
} from '../../domain/policy/index.js';

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
  projectTotalInvestmentFen: 1_000_000_000n,
  subArea: 'CE.WIND',
  area: 'clean_energy',
  borrowerCreditCode: null,
  projectName: null,
  ...over,
});
const run = (loans: CheckLoan[], more: Partial<CheckInput> = {}) =>
  checkDisclosure({ quarter: '2022Q3', quarterStart: '2022-07-01', quarterEnd: '2022-09-30', loans, thresholds, ...more });
const checks = (loans: CheckLoan[], more: Partial<CheckInput> = {}) => run(loans, more).map((f) => `${f.kind}:${f.check}:${f.subject}`);

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

  it('when a loan attributes more than 100 t per 万元, then a quality finding; exactly 100 t, none; 0 t is inside 0–100', () => {
    expect(checks([loan({ attributedCentitonnes: 1_000_000n })])).toEqual([]); // 10,000.00 t ÷ 100 万元 = 100 t
    expect(checks([loan({ attributedCentitonnes: 0n })])).toEqual([]);
    expect(checks([loan({ attributedCentitonnes: 1_000_001n, projectReductionCentitonnes: 2_000_000n })])).toEqual([
      'quality:reduction_intensity:loan:L',
    ]);
  });

  it('when the sub-area has its own range (wind: 0.5–20 t per 万元), then it replaces the general one, both ends', () => {
    const wind = parseCheckThresholds({
      ...CHECK_THRESHOLD_VERSIONS[0],
      subAreaIntensity: [{ subArea: 'CE.WIND', minTonnesPerWanYuan: '0.5', maxTonnesPerWanYuan: '20' }],
    });
    const c = (attributed: bigint, subArea = 'CE.WIND') =>
      checks([loan({ attributedCentitonnes: attributed, subArea })], { thresholds: wind });
    // 100 万元: 20 t per 万元 = 2,000.00 t = 200,000 ct; 0.5 t per 万元 = 50.00 t = 5,000 ct
    expect(c(200_000n)).toEqual([]);
    expect(c(200_001n)).toEqual(['quality:sub_area_intensity:loan:L']);
    expect(c(5_000n)).toEqual([]);
    expect(c(4_999n)).toEqual(['quality:sub_area_intensity:loan:L']);
    // a solar loan keeps the general 0–100 t
    expect(c(200_001n, 'CE.SOLAR')).toEqual([]);
    expect(run([loan({ attributedCentitonnes: 4_999n })], { thresholds: wind })[0].message).toContain(
      'below the range 0.50–20.00 t of sub-area CE.WIND',
    );
  });

  it('when the quarter is more than 5× or under 1/5 of the mean of the last four compiled quarters, then a quality finding; exactly 5× or 1/5, none', () => {
    // last four: 100 + 300 + 200 + 200 万元 → mean 200 万元 = 200,000,000 fen; reductions 1,000 t each → mean 1,000.00 t
    const history = ['2022Q2', '2022Q1', '2021Q4', '2021Q3'].map((quarter, i) => ({
      quarter,
      principalFen: [100_000_000n, 300_000_000n, 200_000_000n, 200_000_000n][i],
      attributedCentitonnes: 100_000n,
    }));
    // a fifth, older quarter does not count (it would move the mean)
    const all = [...history, { quarter: '2021Q2', principalFen: 10n ** 12n, attributedCentitonnes: 10n ** 9n }];
    const quarterOf = (principalFen: bigint, attributedCentitonnes: bigint) =>
      checks([loan({ principalFen, attributedCentitonnes, projectReductionCentitonnes: null })], { history: all });
    // 5 × 200 万元 = 1,000 万元; 5 × 1,000 t = 5,000 t
    expect(quarterOf(1_000_000_000n, 500_000n)).toEqual([]);
    expect(quarterOf(1_000_000_001n, 500_000n)).toEqual(['quality:quarter_far_from_last_four:quarter:amount']);
    expect(quarterOf(1_000_000_000n, 500_001n)).toEqual(['quality:quarter_far_from_last_four:quarter:reduction']);
    // 200 万元 ÷ 5 = 40 万元; 1,000 t ÷ 5 = 200 t
    expect(quarterOf(40_000_000n, 20_000n)).toEqual([]);
    expect(quarterOf(39_999_999n, 20_000n)).toEqual(['quality:quarter_far_from_last_four:quarter:amount']);
    // a loan of an earlier quarter is not new: the quarter's new loans are 0, under 1/5
    expect(checks([loan({ disbursedOn: '2022-06-30' })], { history: all })).toEqual([
      'quality:quarter_far_from_last_four:quarter:amount',
      'quality:quarter_far_from_last_four:quarter:reduction',
    ]);
    // no earlier quarter: nothing to compare with
    expect(checks([loan({ principalFen: 10n ** 12n })])).toEqual([]);
    expect(run([loan({ principalFen: 1_000_000_001n })], { history: all })[0].message).toContain(
      'mean of the last 4 compiled quarter(s) (2022Q2, 2022Q1, 2021Q4, 2021Q3): 2000000.00 yuan',
    );
  });

  it("when one borrower's project has different facts across loans or quarters, then a quality finding; the same facts, none", () => {
    const b = { borrowerCreditCode: '91310000MA1FL0000X', projectName: '东海风电' };
    const same = [loan({ ...b, loanRef: 'A', projectRef: 'P1' }), loan({ ...b, loanRef: 'B', projectRef: 'P2' })];
    expect(checks(same)).toEqual([]);
    // two references, one with another total investment (and a full-width space in the name: the same project)
    const other = [
      loan({ ...b, loanRef: 'A', projectRef: 'P1' }),
      loan({ ...b, projectName: '东海　风电', loanRef: 'B', projectRef: 'P2', projectTotalInvestmentFen: 1_000_000_001n }),
    ];
    expect(checks(other)).toEqual([`quality:conflicting_project_facts:borrower:${b.borrowerCreditCode}:东海风电`]);
    // across quarters: the earlier quarter froze another annual reduction
    const earlier = (reductionCentitonnes: bigint) => [
      { quarter: '2022Q2', projectRef: 'P1', ...b, totalInvestmentFen: 1_000_000_000n, reductionCentitonnes },
    ];
    expect(checks([loan({ ...b, projectRef: 'P1' })], { earlierFacts: earlier(1_000_000n) })).toEqual([]);
    const across = run([loan({ ...b, projectRef: 'P1' })], { earlierFacts: earlier(1_100_000n) });
    expect(across.map((f) => f.check)).toEqual(['conflicting_project_facts']);
    expect(across[0].message).toContain('11000.00 t a year in 2022Q2 (project P1)');
    // a project the version no longer holds is not judged again
    expect(checks([loan({ projectRef: 'Q' })], { earlierFacts: earlier(1_100_000n) })).toEqual([]);
  });

  it("when one project holds more than 25 % of the bank's book, then a macro finding once the facility has 10 institutions with loans; exactly 25 %, none; with 9, none", () => {
    // four projects of 100 万元 and 1,000 t each: 25 % each
    const four = ['A', 'B', 'C', 'D'].map((r, i) =>
      loan({ loanRef: r, projectRef: r, area: ['clean_energy', 'energy_saving_retrofit', 'green_upgrading', 'energy_transition'][i] }),
    );
    expect(checks(four, { institutionsWithLoans: 10 })).toEqual([]);
    // one more fen on project A: 100,000,001 ÷ 400,000,001 > 25 % of the amount
    const heavier = [loan({ ...four[0], principalFen: 100_000_001n }), ...four.slice(1)];
    expect(checks(heavier, { institutionsWithLoans: 10 })).toEqual(['macro:project_share:project:A']);
    expect(checks(heavier, { institutionsWithLoans: 9 })).toEqual([]);
  });

  it("when one area holds more than 60 % of the bank's book, then a macro finding; exactly 60 %, none; with 9 institutions, none", () => {
    // ten projects of 100 万元 (each 10 %, under 25 %): six clean energy = 60 %
    const ten = (clean: number) =>
      Array.from({ length: 10 }, (_, i) =>
        loan({ loanRef: `L${i}`, projectRef: `P${i}`, area: i < clean ? 'clean_energy' : 'energy_saving_retrofit' }),
      );
    expect(checks(ten(6), { institutionsWithLoans: 10 })).toEqual([]);
    expect(checks(ten(7), { institutionsWithLoans: 10 })).toEqual(['macro:area_share:area:clean_energy']);
    expect(checks(ten(7), { institutionsWithLoans: 9 })).toEqual([]);
    expect(run(ten(7), { institutionsWithLoans: 10 })[0].message).toContain(
      '70.00 % of the attributed reduction and 70.00 % of the loan amount',
    );
  });
});

describe('check thresholds as policy data', () => {
  const change = (over: Partial<CheckThresholdsChange>): CheckThresholdsChange => ({
    kind: 'check_thresholds',
    ...CHECK_THRESHOLD_VERSIONS[0],
    effectiveFrom: '2023-01-01',
    note: 'tighter',
    ...over,
  });
  const data = BUILT_IN_POLICY_DATA;

  it('when a version is confirmed from 2023-01-01, then it is in force from that date and the first one the day before', () => {
    const built = buildPolicyData(data, [{ changeId: 'c1', data: change({ areaSharePercent: '50' }) }]);
    expect(checkThresholdsOn('2022-12-31', built.checkThresholdVersions).areaSharePpm).toBe(600_000n);
    expect(checkThresholdsOn('2023-01-01', built.checkThresholdVersions).areaSharePpm).toBe(500_000n);
  });

  it('when a version is proposed with an inverted range, an unknown sub-area, a factor of 1 or a share above 100 %, then each is named', () => {
    const v = checkPolicyChange(
      data,
      change({
        intensity: { minTonnesPerWanYuan: '5', maxTonnesPerWanYuan: '1' },
        subAreaIntensity: [{ subArea: 'XX.NONE', minTonnesPerWanYuan: '0', maxTonnesPerWanYuan: '1' }],
        quarterJumpFactor: '1',
        projectSharePercent: '100.0001',
      }),
      '2022-12-01',
    );
    expect(v.map((x) => `${x.path}:${x.code}`)).toEqual([
      'intensity:range_inverted',
      'subAreaIntensity.0.subArea:unknown_sub_area',
      'quarterJumpFactor:factor_out_of_range',
      'projectSharePercent:share_out_of_range',
    ]);
    expect(checkPolicyChange(data, change({ effectiveFrom: '2021-07-01' }), '2022-12-01').map((x) => x.code)).toEqual([
      'before_facility_launch',
    ]);
    expect(checkPolicyChange(data, change({}), '2022-12-01')).toEqual([]);
  });
});
