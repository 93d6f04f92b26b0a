/** A tranche's pool on a date (outstanding principal after dated repayments, loans leaving on their maturity) and its shortfall. */
import { describe, expect, it } from 'vitest';
import { policyOn } from '../../domain/policy/index.js';
import {
  countsInPoolOn,
  isPoolShortfallOverdue,
  outstandingOnFen,
  poolOutstandingEligibleFen,
  poolShortfallDueOn,
  poolShortfallStep,
  type PoolLoan,
} from '../../domain/refinancing/pool.js';

const loan = (over: Partial<PoolLoan> = {}): PoolLoan => ({
  principalFen: 1_000_000_00n,
  repayments: [],
  maturesOn: '2023-06-30',
  eligibility: 'eligible',
  active: true,
  ...over,
});

describe("a loan's outstanding principal on a date", () => {
  const repaid = loan({
    repayments: [
      { repaidOn: '2023-02-28', amountFen: 400_000_00n },
      { repaidOn: '2023-03-05', amountFen: 100_000_00n },
    ],
  });
  it.each([
    ['before any repayment', '2023-02-27', 1_000_000_00n],
    ['on the day of a repayment (it counts)', '2023-02-28', 600_000_00n],
    ['between the repayments', '2023-03-04', 600_000_00n],
    ['after both', '2023-03-05', 500_000_00n],
  ])('when asked %s, then the repayments dated on or before it are deducted', (_name, on, expected) => {
    expect(outstandingOnFen(repaid, on)).toBe(expected);
  });
});

describe("a tranche's pool", () => {
  it.each([
    ['the day before its maturity', loan(), '2023-06-29', true],
    ['on its maturity date (it leaves the pool that day)', loan(), '2023-06-30', false],
    ['a flagged loan', loan({ eligibility: 'flagged' }), '2023-03-01', false],
    ['a loan accepted by an operator', loan({ eligibility: 'accepted' }), '2023-03-01', true],
    ['a loan no longer listed (left out of a partial approval, or rejected)', loan({ active: false }), '2023-03-01', false],
  ])('when %s, then counts in the pool: %s', (_name, l, on, expected) => {
    expect(countsInPoolOn(l, on)).toBe(expected);
  });

  it('when loans mature and are repaid, then the pool is the outstanding principal of those still counting', () => {
    const loans = [
      loan({ principalFen: 1_000_000_00n, maturesOn: '2026-01-05', repayments: [{ repaidOn: '2023-02-28', amountFen: 400_000_00n }] }),
      loan({ principalFen: 500_000_00n, maturesOn: '2023-06-30' }),
      loan({ principalFen: 300_000_00n, maturesOn: '2026-01-05', eligibility: 'flagged' }),
    ];
    expect(poolOutstandingEligibleFen(loans, '2023-02-27')).toBe(1_500_000_00n);
    expect(poolOutstandingEligibleFen(loans, '2023-03-01')).toBe(1_100_000_00n);
    expect(poolOutstandingEligibleFen(loans, '2023-06-30')).toBe(600_000_00n);
    expect(poolOutstandingEligibleFen([], '2023-06-30')).toBe(0n);
  });
});

describe('a pool shortfall', () => {
  it.each([
    [null, 0n, 'raise', 'none'],
    [null, 5n, 'raise', 'raise'],
    [null, 5n, 'settle', 'raise'],
    [5n, 7n, 'raise', 'grow'],
    [5n, 7n, 'settle', 'grow'],
    [5n, 5n, 'settle', 'none'],
    [5n, 3n, 'raise', 'none'],
    [5n, 0n, 'raise', 'none'],
    [5n, 3n, 'settle', 'lower'],
    [5n, 0n, 'settle', 'clear'],
  ] as const)('when %s is open and %s is owed (%s), then %s', (openFen, owedFen, mode, step) => {
    expect(poolShortfallStep(openFen, owedFen, mode)).toBe(step);
  });

  it("when raised, then it is due the policy's number of days later, and overdue only the day after while open", () => {
    const policy = policyOn('2023-03-01')!;
    expect(policy.poolShortfallDueDays).toBe(30);
    expect(poolShortfallDueOn('2023-03-01', policy)).toBe('2023-03-31');
    expect(isPoolShortfallOverdue({ status: 'open', dueOn: '2023-03-31' }, '2023-03-31')).toBe(false);
    expect(isPoolShortfallOverdue({ status: 'open', dueOn: '2023-03-31' }, '2023-04-01')).toBe(true);
    expect(isPoolShortfallOverdue({ status: 'cleared', dueOn: '2023-03-31' }, '2023-04-01')).toBe(false);
  });
});
