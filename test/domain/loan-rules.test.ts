import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter, validateCreditCode } from '../../domain/loans/credit-code.js';
import { formatPercentExact } from '../../domain/loans/facts.js';
import { attributedReduction, checkProjectFunding, formatAttributedReduction, formatBp } from '../../domain/loans/rules.js';
import { divRound, formatFenAsWanYuan, formatPpmAsPercent, formatScaled, parseScaled } from '../../domain/money.js';
import { compareWithLpr, lprOn, lprTenorOf, policyOn } from '../../domain/policy/index.js';

const codeChar = fc.constantFrom(...CREDIT_CODE_ALPHABET.split(''));
const validCode = fc
  .tuple(
    fc.array(codeChar, { minLength: 2, maxLength: 2 }),
    fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 6, maxLength: 6 }),
    fc.array(codeChar, { minLength: 9, maxLength: 9 }),
  )
  .map(([a, b, c]) => {
    const first17 = a.join('') + b.join('') + c.join('');
    return first17 + creditCodeCheckCharacter(first17);
  });

describe('unified social credit code', () => {
  it('when a code is built with its check character, then it is valid', () => {
    fc.assert(fc.property(validCode, (code) => validateCreditCode(code).ok));
  });

  it('when any one character of a valid code is replaced by another, then the check fails', () => {
    fc.assert(
      fc.property(validCode, fc.integer({ min: 0, max: 17 }), codeChar, (code, position, replacement) => {
        fc.pre(code[position] !== replacement);
        const changed = code.slice(0, position) + replacement + code.slice(position + 1);
        const result = validateCreditCode(changed);
        return !result.ok;
      }),
    );
  });

  it('when codes are known public ones, then they validate; a wrong length or letter is named', () => {
    // a well-formed code: its 18th character is the check of the first 17
    expect(validateCreditCode('91110000100010249W').ok).toBe(true);
    expect(validateCreditCode('911100001000102').ok).toBe(false);
    const letter = validateCreditCode('91110000100010249I');
    expect(letter.ok === false && letter.status).toBe('credit_code_character');
    const check = validateCreditCode('91110000100010249X');
    expect(check.ok === false && check.status).toBe('credit_code_check_character');
  });
});

describe('attributed annual reduction', () => {
  const project = fc.record({
    totalInvestmentFen: fc.bigInt({ min: 1n, max: 10n ** 14n }),
    annualReductionCentitonnes: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  });

  it('when a loan finances part of a project, then its share is exact and never above the project reduction', () => {
    fc.assert(
      fc.property(project, fc.bigInt({ min: 1n, max: 10n ** 14n }), (p, raw) => {
        const principalFen = (raw % p.totalInvestmentFen) + 1n; // 1 ≤ principal ≤ investment
        const share = attributedReduction({ principalFen, project: p });
        expect(share.num * p.totalInvestmentFen).toBe(p.annualReductionCentitonnes * principalFen * share.den);
        const rounded = divRound(share.num, share.den);
        expect(rounded <= p.annualReductionCentitonnes).toBe(true);
      }),
    );
  });

  it('when several loans share a project within its investment, then their exact shares sum to at most the project reduction', () => {
    fc.assert(
      fc.property(project, fc.array(fc.bigInt({ min: 1n, max: 10n ** 13n }), { minLength: 1, maxLength: 20 }), (p, principals) => {
        let funded = 0n;
        const accepted: bigint[] = [];
        for (const principalFen of principals) {
          if (
            checkProjectFunding({ fundedFen: funded, addFen: principalFen, totalInvestmentFen: p.totalInvestmentFen, projectRef: 'P' }) ===
            null
          ) {
            funded += principalFen;
            accepted.push(principalFen);
          }
        }
        expect(funded <= p.totalInvestmentFen).toBe(true);
        // Σ reduction × principalᵢ / investment over one denominator
        const sumNum = accepted.reduce((acc, principalFen) => acc + attributedReduction({ principalFen, project: p }).num, 0n);
        expect(sumNum <= p.annualReductionCentitonnes * p.totalInvestmentFen).toBe(true);
      }),
    );
  });

  it('when the contract example is computed by hand, then 300,000,000 of 800,000,000 × 210,000 t = 78,750.00 t', () => {
    const share = attributedReduction({
      principalFen: 30_000_000_000n,
      project: { totalInvestmentFen: 80_000_000_000n, annualReductionCentitonnes: 21_000_000n },
    });
    expect(formatAttributedReduction(share, 'half_up')).toBe('78750.00');
  });

  it('when the exact share ends in half a hundredth, then it rounds half up once', () => {
    // 1 t × 1/8 = 0.125 t → 0.13
    expect(
      formatAttributedReduction(
        attributedReduction({ principalFen: 100n, project: { totalInvestmentFen: 800n, annualReductionCentitonnes: 100n } }),
        'half_up',
      ),
    ).toBe('0.13');
  });
});

describe('exact numbers', () => {
  it('when a decimal string is parsed and formatted at its scale, then it round-trips', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n }), (units) => {
        expect(parseScaled(formatScaled(units, 2), 2)).toBe(units);
      }),
    );
  });

  it('when more decimals than the scale are given, then parsing refuses instead of rounding', () => {
    expect(parseScaled('1.005', 2)).toBeNull();
    expect(parseScaled('1e5', 2)).toBeNull();
  });

  it('when rounding half up, half even, down and up, then each goes the stated way', () => {
    expect([
      divRound(5n, 2n, 'half_up'),
      divRound(5n, 2n, 'half_even'),
      divRound(7n, 2n, 'half_even'),
      divRound(5n, 2n, 'down'),
      divRound(4n, 3n, 'up'),
    ]).toEqual([3n, 2n, 4n, 2n, 2n]);
    expect(divRound(-5n, 2n, 'half_up')).toBe(-3n);
  });

  it('when fen are shown in 万元, then 13,773.43 万元 comes from 137,734,300.00 yuan and .005 rounds up', () => {
    expect(formatFenAsWanYuan(13_773_430_000n)).toBe('13773.43');
    expect(formatFenAsWanYuan(13_773_435_000n)).toBe('13773.44');
    expect(formatFenAsWanYuan(13_773_434_999n)).toBe('13773.43');
  });

  it('when rates are shown, then ppm print as percent exactly', () => {
    expect(formatPercentExact(21_966n)).toBe('2.1966');
    expect(formatPercentExact(38_000n)).toBe('3.80');
    expect(formatPpmAsPercent(42_850n)).toBe('4.29');
    expect(formatBp(-6_500n)).toBe('-65');
    expect(formatBp(50n)).toBe('0.5');
  });
});

describe('LPR comparison', () => {
  it('when a 10-year loan is disbursed on 2022-08-15, then it compares with the 5-year-plus LPR fixed on 2022-05-20', () => {
    const policy = policyOn('2022-08-15')!;
    const cmp = compareWithLpr({ ratePpm: 38_000n, disbursedOn: '2022-08-15', maturesOn: '2032-08-15', policy })!;
    expect(cmp).toMatchObject({ tenor: '5y_plus', month: '2022-05', lprPpm: 44_500n, deviationPpm: -6_500n, withinBand: true });
  });

  it('when a 3-year loan is disbursed on the fixing day 2022-08-22, then the new 1-year LPR of 3.65 % applies', () => {
    expect(lprOn('2022-08-22')!.oneYearPpm).toBe(36_500n);
    expect(lprOn('2022-08-21')!.oneYearPpm).toBe(37_000n);
    const cmp = compareWithLpr({ ratePpm: 55_000n, disbursedOn: '2022-08-22', maturesOn: '2025-08-22', policy: policyOn('2022-08-22')! })!;
    expect(cmp.tenor).toBe('1y');
    expect(cmp.withinBand).toBe(false); // +185 bp
  });

  // the term is counted from the dates: five years to the day compares with the 1-year LPR, one day more
  // with the 5-year-plus LPR; a 29 February's five years end on 28 February (the month's last day)
  it.each([
    ['2022-06-15', '2027-06-14', '1y'],
    ['2022-06-15', '2027-06-15', '1y'],
    ['2022-06-15', '2027-06-16', '5y_plus'],
    ['2022-06-15', '2027-07-15', '5y_plus'],
    ['2024-01-31', '2029-01-31', '1y'],
    ['2024-01-31', '2029-02-01', '5y_plus'],
    ['2024-02-29', '2029-02-28', '1y'],
    ['2024-02-29', '2029-03-01', '5y_plus'],
    ['2023-03-01', '2028-02-29', '1y'],
    ['2023-03-01', '2028-03-01', '1y'],
    ['2023-03-01', '2028-03-02', '5y_plus'],
    ['2020-02-29', '2025-02-28', '1y'],
    ['2020-02-29', '2025-03-01', '5y_plus'],
  ])('when a loan disbursed on %s matures on %s, then it compares with the %s LPR', (disbursedOn, maturesOn, tenor) => {
    expect(lprTenorOf({ disbursedOn, maturesOn, policy: policyOn('2022-06-15')! })).toBe(tenor);
  });

  it('when a loan of 5 years and 30 days at 2.30 % is disbursed on 2022-06-15, then it is 215 bp below the 5-year-plus LPR of 4.45 %: outside the band', () => {
    const cmp = compareWithLpr({ ratePpm: 23_000n, disbursedOn: '2022-06-15', maturesOn: '2027-07-15', policy: policyOn('2022-06-15')! })!;
    // 2.30 % − 4.45 % = −2.15 % = −215 bp (the band is −150 … +150 bp); against the 1-year LPR of 3.70 % it would be −140 bp
    expect(cmp).toMatchObject({ tenor: '5y_plus', month: '2022-05', lprPpm: 44_500n, deviationPpm: -21_500n, withinBand: false });
  });
});
