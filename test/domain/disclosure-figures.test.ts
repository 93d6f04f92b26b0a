import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDisclosure, type SubAreaSums } from '../../domain/disclosures/compile.js';
import { canonicalJson } from '../../domain/disclosures/canonical.js';
import { certifyRounded, presentHorizon, REDUCTION_UNIT, sumFractions, EMPTY_SUMS } from '../../domain/disclosures/figures.js';
import { nextVersionKind, transition, type DisclosureStatus, type WorkflowVerb } from '../../domain/disclosures/workflow.js';
import { drawSample } from '../../domain/verification/sample.js';
import { checkVerdict } from '../../domain/verification/verdict.js';
import { divRound } from '../../domain/money.js';

const truncatedSum = (terms: { num: bigint; den: bigint }[]) => terms.reduce((s, t) => s + (t.num * REDUCTION_UNIT) / t.den, 0n);

describe('reduction sums', () => {
  it('when truncated terms straddle a half, then certification refuses and the exact sum decides', () => {
    const sixths = [1n, 1n, 1n].map((num) => ({ num, den: 6n }));
    expect(certifyRounded(truncatedSum(sixths), 3, 'half_up')).toBeNull();
    expect(sumFractions(sixths, 'half_up')).toBe(1n);
    expect(certifyRounded(truncatedSum([{ num: 1n, den: 3n }]), 1, 'half_up')).toBe(0n);
  });

  it('when any set of fractions is summed, then certify-or-exact equals the exact rational sum rounded once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ num: fc.bigInt({ min: 0n, max: 10n ** 20n }), den: fc.bigInt({ min: 1n, max: 10n ** 12n }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        (terms) => {
          const exact = sumFractions(terms, 'half_up');
          const certified = certifyRounded(truncatedSum(terms), terms.length, 'half_up');
          if (certified !== null) expect(certified).toBe(exact);
          // the exact sum, independently: common denominator
          const den = terms.reduce((d, t) => d * t.den, 1n);
          const num = terms.reduce((n, t) => n + (t.num * den) / t.den, 0n);
          expect(exact).toBe(divRound(num, den, 'half_up'));
        },
      ),
    );
  });

  it('when a horizon has no loans, then its rate is null and its amounts are zero', () => {
    expect(presentHorizon(EMPTY_SUMS, 0n, 'half_up')).toEqual({
      projects: 0,
      loanAmountWanYuan: '0.00',
      weightedAverageRatePercent: null,
      annualReductionTonnes: '0.00',
    });
  });

  it('when a sum is not certified and no exact fractions are given, then compilation asks for them', () => {
    const sums = {
      projects: 1,
      loans: 3,
      principalFen: 300n,
      rateWeightedPpmFen: 300n * 38_000n,
      reductionLowerUnits: truncatedSum([1n, 1n, 1n].map((num) => ({ num, den: 6n }))),
      reductionTerms: 3,
    };
    const row: SubAreaSums = { subArea: 'CE.WIND', quarter: sums, yearToDate: sums, sinceInception: sums };
    const input = {
      institution: { code: 'X', nameZh: '某银行', nameEn: 'X Bank' },
      quarter: '2022Q3',
      version: 1,
      previousVersion: null,
      restatesVersion: null,
      rounding: 'half_up' as const,
      subAreas: [row],
      topProjects: [],
    };
    const first = compileDisclosure(input);
    expect(first).toEqual({ ok: false, status: 'needs_exact', horizons: ['quarter', 'yearToDate', 'sinceInception'] });
    const fractions = [{ subArea: 'CE.WIND', num: 3n, den: 6n }];
    const second = compileDisclosure({ ...input, exact: { quarter: fractions, yearToDate: fractions, sinceInception: fractions } });
    expect(second.ok && second.value.horizons.quarter.annualReductionTonnes).toBe('0.01');
    expect(second.ok && second.value.statement.zh.split('\n')[0]).toBe('某银行碳减排贷款信息披露（2022年第三季度）');
  });
});

describe('canonical JSON', () => {
  it('when keys come in any order, then the serialisation is the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });
});

describe('workflow', () => {
  const cases: [DisclosureStatus, WorkflowVerb, DisclosureStatus | 'illegal'][] = [
    ['compiled', 'submit', 'submitted'],
    ['submitted', 'assign', 'under_verification'],
    ['under_verification', 'verify', 'verified'],
    ['under_verification', 'reject', 'rejected'],
    ['verified', 'publish', 'published'],
    ['compiled', 'publish', 'illegal'],
    ['published', 'publish', 'illegal'],
    ['rejected', 'publish', 'illegal'],
    ['submitted', 'submit', 'illegal'],
    ['verified', 'reject', 'illegal'],
  ];
  it.each(cases)('when a %s disclosure gets %s, then it is %s', (from, verb, to) => {
    const r = transition(from, verb);
    if (to === 'illegal') expect(r).toMatchObject({ ok: false, status: 'illegal_transition', current: from });
    else expect(r).toEqual({ ok: true, value: to });
  });
  it('when the latest version is rejected or published, then a correction or restatement may follow, and nothing else', () => {
    expect(nextVersionKind('rejected')).toEqual({ ok: true, value: 'correction' });
    expect(nextVersionKind('published')).toEqual({ ok: true, value: 'restatement' });
    expect(nextVersionKind('under_verification')).toMatchObject({ ok: false, current: 'under_verification' });
  });
});

describe('verification sample', () => {
  const candidates = Array.from({ length: 50 }, (_, i) => ({
    id: `loan-${String(i).padStart(2, '0')}`,
    principalFen: BigInt((i + 1) * 1_000_000),
  }));
  it('when the same seed is used, then the same sample is drawn, whatever the order of the candidates', () => {
    const a = drawSample({ candidates, materialityFen: 45_000_000n, randomSampleSize: 5, seed: 's1' });
    const b = drawSample({ candidates: [...candidates].reverse(), materialityFen: 45_000_000n, randomSampleSize: 5, seed: 's1' });
    expect(a).toEqual(b);
    expect(a.filter((s) => s.reason === 'material').map((s) => s.id)).toEqual(['loan-49', 'loan-48', 'loan-47', 'loan-46', 'loan-45']);
    expect(a.filter((s) => s.reason === 'random')).toHaveLength(5);
  });
  it('when another seed is used, then another random part is drawn', () => {
    const a = drawSample({ candidates, materialityFen: 45_000_000n, randomSampleSize: 5, seed: 's1' });
    const c = drawSample({ candidates, materialityFen: 45_000_000n, randomSampleSize: 5, seed: 's2' });
    expect(c.filter((s) => s.reason === 'random').map((s) => s.id)).not.toEqual(a.filter((s) => s.reason === 'random').map((s) => s.id));
  });
  it('when a verdict is given, then every sampled loan must be checked and the outcome must match the findings', () => {
    expect(checkVerdict('verified', ['a', 'b'], [{ loanId: 'a', check: 'amount', outcome: 'pass' }])).toMatchObject({
      ok: false,
      status: 'sample_not_checked',
    });
    expect(checkVerdict('rejected', ['a'], [{ loanId: 'a', check: 'amount', outcome: 'pass' }])).toMatchObject({
      ok: false,
      status: 'rejection_without_findings',
    });
    expect(checkVerdict('verified', ['a'], [{ loanId: 'a', check: 'amount', outcome: 'pass' }])).toEqual({
      ok: true,
      value: { failed: 0, checked: 1 },
    });
  });
});
