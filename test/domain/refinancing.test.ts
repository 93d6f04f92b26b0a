import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../domain/dates.js';
import { PPM } from '../../domain/money.js';
import { allocate } from '../../domain/refinancing/allocation.js';
import { planApplication, type CandidateLoan } from '../../domain/refinancing/application.js';
import { eligibleValueFen } from '../../domain/refinancing/collateral.js';
import { planRepayment, planRollover, statusOn, trancheTerms, type FacilityState } from '../../domain/refinancing/facility.js';
import { accruedThroughFen, dailyAccrualFen } from '../../domain/refinancing/interest.js';
import { checkOperation } from '../../domain/refinancing/operation.js';
import { apportion, supportByLoan, supportFen } from '../../domain/refinancing/support.js';
import { policyOn } from '../../domain/policy/index.js';

const launch = policyOn('2022-06-01')!;
const y2026 = policyOn('2026-02-01')!;

const tranche = (overrides: Partial<FacilityState> = {}): FacilityState => ({
  outstandingFen: 60_000_000n,
  ratePpm: 17_500n,
  dayCount: 'actual_360',
  startOn: '2022-09-01',
  maturesOn: '2023-09-01',
  rolloverCount: 0,
  status: 'active',
  interestFromOn: '2022-09-01',
  segmentAccruedFen: 0n,
  accruedThrough: '2022-09-01',
  interestAccruedFen: 0n,
  interestPaidFen: 0n,
  ...overrides,
});

describe('worked examples, computed by hand', () => {
  it('when a loan of 1,000,000.00 yuan is supported, then support is 600,000.00', () => {
    // 100,000,000 fen × 600,000 ppm / 1,000,000 = 60,000,000 fen
    expect(supportFen(100_000_000n, launch)).toBe(60_000_000n);
  });

  it('when 600,000.00 accrues 365 days at 1.75 % actual/360, then interest is 10,645.83', () => {
    // 600,000 × 0.0175 × 365 / 360 = 10,645.8333… → half up to 10,645.83
    const segment = { principalFen: 60_000_000n, ratePpm: 17_500n, dayCount: 'actual_360' as const, fromOn: '2022-09-01' };
    expect(accruedThroughFen(segment, '2023-09-01', 'half_up')).toBe(1_064_583n);
  });

  it('when 1,000,000.00 accrues 365 days at 1.75 % actual/365, then interest is exactly 17,500.00', () => {
    const segment = { principalFen: 100_000_000n, ratePpm: 17_500n, dayCount: 'actual_365' as const, fromOn: '2022-01-01' };
    expect(accruedThroughFen(segment, '2023-01-01', 'half_up')).toBe(1_750_000n);
  });

  it('when 1.00 yuan accrues one day at 1.75 %, then the day books 0.00 and the rounding is caught up later', () => {
    // 100 × 17,500 × 1 / 360,000,000 = 0.00486 fen per day; after 103 days 0.5007 fen → 1 fen
    const segment = { principalFen: 100n, ratePpm: 17_500n, dayCount: 'actual_360' as const, fromOn: '2022-01-01' };
    expect(dailyAccrualFen(segment, '2022-01-02', 'half_up')).toBe(0n);
    expect(accruedThroughFen(segment, addDays('2022-01-01', 102), 'half_up')).toBe(0n);
    expect(accruedThroughFen(segment, addDays('2022-01-01', 103), 'half_up')).toBe(1n);
  });

  it('when a tranche starts on a date, then its rate is the one in force that day', () => {
    const cases: [string, bigint][] = [
      ['2021-12-30', 17_500n],
      ['2025-05-07', 17_500n],
      ['2025-05-08', 15_000n],
      ['2026-01-18', 15_000n],
      ['2026-01-19', 12_500n],
    ];
    for (const [on, rate] of cases) expect(trancheTerms(on, policyOn(on)!).ratePpm, on).toBe(rate);
    expect(trancheTerms('2024-02-29', launch).maturesOn).toBe('2025-02-28');
  });

  it('when 1,000,000.00 of a high-grade loan is pledged, then its eligible value is 700,000.00 (30 % haircut)', () => {
    expect(eligibleValueFen(100_000_000n, 'high_grade_loan', launch)).toBe(70_000_000n);
  });
});

describe('operations', () => {
  it('when the 2026 volumes would pass the 8,000 亿元 cap, then the operation is refused; up to the cap it is allowed', () => {
    const cap = y2026.annualCapFen!;
    expect(checkOperation({ quarter: '2026Q2', volumeFen: 1n, yearVolumeFen: cap, policy: policyOn('2026-04-01') })).toMatchObject({
      ok: false,
      status: 'annual_cap_exceeded',
    });
    expect(checkOperation({ quarter: '2026Q2', volumeFen: 1n, yearVolumeFen: cap - 1n, policy: policyOn('2026-04-01') })).toMatchObject({
      ok: true,
      value: { opensOn: '2026-04-01', closesOn: '2026-06-30' },
    });
    expect(checkOperation({ quarter: '2022Q3', volumeFen: 10n ** 18n, yearVolumeFen: 0n, policy: launch }).ok).toBe(true);
    expect(checkOperation({ quarter: '2028Q1', volumeFen: 1n, yearVolumeFen: 0n, policy: policyOn('2028-01-01') })).toMatchObject({
      ok: false,
      status: 'facility_ended',
    });
  });
});

describe('application rules, in order of precedence', () => {
  const loan = (o: Partial<CandidateLoan>): CandidateLoan => ({
    id: 'L',
    loanRef: 'R',
    disbursedOn: '2022-08-15',
    maturesOn: '2025-08-15',
    eligibility: 'eligible',
    principalFen: 100n,
    outstandingFen: 100n,
    liveApplicationStatus: null,
    ...o,
  });
  const cases: [string, Partial<CandidateLoan>, string | null][] = [
    ['disbursed after the application date', { disbursedOn: '2022-09-02' }, 'loan_not_yet_disbursed'],
    ['disbursed before the facility window', { disbursedOn: '2021-06-30' }, 'loan_outside_facility_window'],
    ['matured before the application date', { maturesOn: '2022-08-31' }, 'loan_matured'],
    ['flagged for its rate', { eligibility: 'flagged' }, 'loan_not_eligible'],
    ['already on approved support', { liveApplicationStatus: 'approved' }, 'loan_already_supported'],
    ['already on disbursed support', { liveApplicationStatus: 'disbursed' }, 'loan_already_supported'],
    ['on an application awaiting decision', { liveApplicationStatus: 'submitted' }, 'loan_already_applied_for'],
    ['fully repaid', { outstandingFen: 0n }, 'loan_fully_repaid'],
    ['accepted by an operator', { eligibility: 'accepted' }, null],
    ['disbursed on the application date', { disbursedOn: '2022-09-01' }, null],
  ];
  for (const [name, o, code] of cases) {
    it(`when a loan is ${name}, then ${code ?? 'it qualifies'}`, () => {
      const r = planApplication({ loans: [loan(o)], paths: ['loanRefs.0'], appliedOn: '2022-09-01', policy: launch });
      if (code === null) expect(r.ok).toBe(true);
      else expect(r).toMatchObject({ ok: false, errors: [{ path: 'loanRefs.0', code }] });
    });
  }
  it('when applying after the facility end date, then facility_ended', () => {
    expect(planApplication({ loans: [loan({})], paths: ['x'], appliedOn: '2028-01-01', policy: policyOn('2028-01-01')! })).toMatchObject({
      ok: false,
      status: 'facility_ended',
    });
  });
  it.each(['2022-12-31', '2023-01-01', '2023-01-15', '2023-01-28', '2023-01-29'])(
    'when applying on %s, then the facility is in force: the 2023 notice continued it without a break',
    (appliedOn) => {
      expect(planApplication({ loans: [loan({})], paths: ['x'], appliedOn, policy: policyOn(appliedOn)! }).ok).toBe(true);
    },
  );
});

describe('rollover and repayment rules', () => {
  it('when a tranche is rolled over, then the excess over 60 % of the underlying outstanding is repaid', () => {
    // underlying loans now 500,000.00 outstanding → cap 300,000.00; tranche 600,000.00 → 300,000.00 repaid
    const r = planRollover(tranche({}), { on: '2023-09-01', underlyingOutstandingFen: 50_000_000n, policy: policyOn('2023-09-01')! });
    expect(r).toMatchObject({
      ok: true,
      value: { rolledFen: 30_000_000n, excessFen: 30_000_000n, rolloverCount: 1, newTerms: { maturesOn: '2024-09-01' } },
    });
  });
  const cases: [string, Partial<FacilityState>, string, bigint, string][] = [
    ['twice rolled over', { rolloverCount: 2 }, '2023-09-01', 100_000_000n, 'rollovers_exhausted'],
    ['not yet at maturity', {}, '2023-08-31', 100_000_000n, 'rollover_not_due'],
    ['past maturity', {}, '2023-09-02', 100_000_000n, 'facility_overdue'],
    ['repaid', { status: 'repaid', outstandingFen: 0n }, '2023-09-01', 100_000_000n, 'facility_not_live'],
    ['backed by fully repaid loans', {}, '2023-09-01', 0n, 'nothing_to_roll_over'],
  ];
  for (const [name, o, on, underlying, status] of cases) {
    it(`when the tranche is ${name}, then ${status}`, () => {
      expect(planRollover(tranche(o), { on, underlyingOutstandingFen: underlying, policy: policyOn(on)! })).toMatchObject({
        ok: false,
        status,
      });
    });
  }
  it('when more than the outstanding is repaid, then repayment_exceeds_outstanding; early repayment is allowed with the interest due', () => {
    expect(planRepayment(tranche({}), { on: '2023-01-01', principalFen: 60_000_001n, rounding: 'half_up' })).toMatchObject({
      ok: false,
      status: 'repayment_exceeds_outstanding',
    });
    // 2022-09-01 → 2023-01-01 = 122 days: 600,000 × 1.75 % × 122 / 360 = 3,558.333… → 3,558.33
    expect(planRepayment(tranche({}), { on: '2023-01-01', principalFen: 10_000_000n, rounding: 'half_up' })).toMatchObject({
      ok: true,
      value: { interestFen: 355_833n, remainingFen: 50_000_000n },
    });
  });
  it('when the maturity scan runs, then a live tranche is matured on its maturity date and overdue the day after', () => {
    expect(statusOn(tranche({}), '2023-08-31')).toBe('active');
    expect(statusOn(tranche({}), '2023-09-01')).toBe('matured');
    expect(statusOn(tranche({}), '2023-09-02')).toBe('overdue');
    expect(statusOn(tranche({ status: 'repaid', outstandingFen: 0n }), '2023-09-02')).toBe('repaid');
  });
});

describe('properties', () => {
  const fen = fc.bigInt({ min: 1n, max: 10n ** 15n });

  it('booked daily accruals always sum to the total rounded once', () => {
    fc.assert(
      fc.property(
        fen,
        fc.bigInt({ min: 1n, max: 100_000n }),
        fc.integer({ min: 1, max: 1200 }),
        fc.constantFrom('actual_360' as const, 'actual_365' as const),
        (principalFen, ratePpm, days, dayCount) => {
          const segment = { principalFen, ratePpm, dayCount, fromOn: '2022-01-01' };
          let sum = 0n;
          for (let d = 1; d <= days; d++) sum += dailyAccrualFen(segment, addDays('2022-01-01', d), 'half_up');
          const total = accruedThroughFen(segment, addDays('2022-01-01', days), 'half_up');
          expect(sum).toBe(total);
          // the total is the exact figure rounded half up: |total − exact| ≤ ½ fen
          const base = dayCount === 'actual_360' ? 360n : 365n;
          const exactNum = principalFen * ratePpm * BigInt(days);
          const den = PPM * base;
          expect(2n * (total * den - exactNum) <= den && 2n * (exactNum - total * den) < den).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('support apportioned to loans sums exactly to 60 % of their principal rounded once, and never more than ½ fen above the exact share', () => {
    fc.assert(
      fc.property(fc.array(fen, { minLength: 1, maxLength: 30 }), (principals) => {
        const { totalFen, partsFen } = supportByLoan(principals, launch);
        const sum = principals.reduce((a, b) => a + b, 0n);
        expect(partsFen.reduce((a, b) => a + b, 0n)).toBe(totalFen);
        expect(partsFen.every((p) => p >= 0n)).toBe(true);
        expect(2n * (totalFen * PPM - sum * launch.supportSharePpm) <= PPM).toBe(true);
      }),
    );
  });

  it('an allocation never exceeds the volume left nor any request, and gives every request in full when they fit', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.array(fen, { minLength: 1, maxLength: 40 }), (remainingFen, requests) => {
        const shares = allocate(
          'pro_rata_by_request',
          remainingFen,
          requests.map((r, i) => ({ applicationId: String(i), requestedFen: r })),
        );
        const total = shares.reduce((a, s) => a + s.approvedFen, 0n);
        const wanted = requests.reduce((a, b) => a + b, 0n);
        expect(total <= remainingFen || total === wanted).toBe(true);
        expect(total).toBe(wanted <= remainingFen ? wanted : remainingFen);
        shares.forEach((s, i) => expect(s.approvedFen >= 0n && s.approvedFen <= requests[i]).toBe(true));
      }),
    );
  });

  it('over a tranche’s life, with loans repaid at random, support never exceeds 60 % of outstanding eligible principal and rollovers never exceed two', () => {
    fc.assert(
      fc.property(fen, fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 3, maxLength: 6 }), (principalFen, repayments) => {
        let loanOutstandingFen = principalFen;
        let f = tranche({ outstandingFen: supportFen(principalFen, launch), startOn: '2022-09-01', maturesOn: '2023-09-01' });
        let rollovers = 0;
        for (const repaid of repayments) {
          loanOutstandingFen -= repaid > loanOutstandingFen ? loanOutstandingFen : repaid;
          const on = f.maturesOn;
          const policy = policyOn(on)!;
          const plan = planRollover(f, { on, underlyingOutstandingFen: loanOutstandingFen, policy });
          if (!plan.ok) {
            expect(['rollovers_exhausted', 'nothing_to_roll_over']).toContain(plan.status);
            break;
          }
          rollovers += 1;
          expect(plan.value.rolledFen).toBeLessThanOrEqual(supportFen(loanOutstandingFen, policy));
          expect(plan.value.rolledFen + plan.value.excessFen).toBe(f.outstandingFen);
          f = tranche({
            outstandingFen: plan.value.rolledFen,
            rolloverCount: plan.value.rolloverCount,
            startOn: on,
            maturesOn: addYears(on, 1),
            interestFromOn: on,
            accruedThrough: on,
          });
        }
        expect(rollovers).toBeLessThanOrEqual(launch.rolloverCountMax);
      }),
    );
  });

  it('apportioned parts are each the floor or one fen above the exact share', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.array(fen, { minLength: 1, maxLength: 20 }), (total, weights) => {
        const parts = apportion(total, weights);
        const w = weights.reduce((a, b) => a + b, 0n);
        parts.forEach((p, i) => {
          const floor = (total * weights[i]) / w;
          expect(p === floor || p === floor + 1n).toBe(true);
        });
      }),
    );
  });
});
