/** The facility's first window: loans disbursed from 2021-07-01 (before the launch on 2021-11-08) are inside it. */
import { describe, expect, it } from 'vitest';
import { loanFactsFromText } from '../../domain/loans/facts.js';
import { assessLoan } from '../../domain/loans/rules.js';
import { policyForLoanDisbursedOn, taxonomyForLoanDisbursedOn } from '../../domain/policy/index.js';
import { loanRequest } from '../factories/loans.js';

const institution = { eligibleFrom: '2021-07-01', eligibleUntil: null };
const assess = (disbursedOn: string, annualRatePercent = '3.85') =>
  assessLoan(loanFactsFromText(loanRequest({ disbursedOn, maturesOn: '2024-06-30', annualRatePercent })), {
    today: '2026-11-30',
    institution,
  });

describe('the first window', () => {
  it.each([
    ['2021-06-30', null],
    ['2021-07-01', '2021-11-launch'],
    ['2021-11-07', '2021-11-launch'],
    ['2021-11-08', '2021-11-launch'],
    ['2023-01-29', '2023-01-extension'],
  ])('when a loan is disbursed on %s, then the policy that governs it is %s', (date, id) => {
    expect(policyForLoanDisbursedOn(date)?.id ?? null).toBe(id);
    expect(taxonomyForLoanDisbursedOn(date)?.version ?? null).toBe(id === null ? null : '2021-11');
  });

  it('when a loan is disbursed on 2021-07-01 by a bank eligible since then, then it is accepted and compared with the LPR in force that day', () => {
    const { violations, assessment } = assess('2021-07-01');
    expect(violations).toEqual([]);
    expect(assessment).toMatchObject({
      policyVersion: '2021-11-launch',
      taxonomyVersion: '2021-11',
      eligibility: 'eligible',
      lpr: { tenor: '1y', month: '2020-04', lprPpm: 38_500n },
    });
  });

  it('when a loan is disbursed on 2021-06-30, then it is refused as before the facility', () => {
    const { violations } = assess('2021-06-30');
    expect(violations.map((v) => [v.path, v.code])).toEqual([['disbursedOn', 'before_facility_launch']]);
  });
});
