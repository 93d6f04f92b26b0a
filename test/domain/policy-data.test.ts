/** The policy data in force: built-in constants merged with operators' confirmed changes (domain/policy/registry.ts). */
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_POLICY_DATA,
  buildPolicyData,
  checkPolicyChange,
  LPR_STALE_AFTER_DAYS,
  lprFreshness,
  lprOn,
  policyOn,
  taxonomyOn,
  type ConfirmedPolicyChange,
  type PolicyChangeData,
} from '../../domain/policy/index.js';

const change = (changeId: string, data: PolicyChangeData): ConfirmedPolicyChange => ({ changeId, data });

describe('building the policy data in force', () => {
  it('when nothing is confirmed, then the built-in data stands as written', () => {
    const data = buildPolicyData(BUILT_IN_POLICY_DATA, []);
    expect(data.policyVersions).toEqual(BUILT_IN_POLICY_DATA.policyVersions);
    expect(data.taxonomyVersions).toEqual(BUILT_IN_POLICY_DATA.taxonomyVersions);
    expect(data.lprFixings).toEqual(BUILT_IN_POLICY_DATA.lprFixings);
    expect(data.lprConfirmedThrough).toBe(BUILT_IN_POLICY_DATA.lprConfirmedThrough);
  });

  it('when a back-dated version is confirmed after a later one, then the later one inherits it (each applies to the version the day before)', () => {
    const later = change('b', {
      kind: 'policy_version',
      id: 'cap',
      effectiveFrom: '2026-06-01',
      note: 'cap',
      changes: { annualCapYuan: '900000000000.00' },
    });
    const earlier = change('c', {
      kind: 'policy_version',
      id: 'rate',
      effectiveFrom: '2026-03-01',
      note: 'rate',
      changes: { ratePercent: '1.10' },
    });
    const data = buildPolicyData(BUILT_IN_POLICY_DATA, [later, earlier]);
    expect(policyOn('2026-02-28', data.policyVersions)).toMatchObject({ id: '2026-01-rate-cut', ratePpm: 12_500n });
    expect(policyOn('2026-03-01', data.policyVersions)).toMatchObject({ id: 'rate', ratePpm: 11_000n, annualCapFen: 80_000_000_000_000n });
    expect(policyOn('2026-06-01', data.policyVersions)).toMatchObject({ id: 'cap', ratePpm: 11_000n, annualCapFen: 90_000_000_000_000n });
  });

  it('when a version is dated between built-in versions, then the built-in version after it stands as written', () => {
    const between = change('d', {
      kind: 'policy_version',
      id: 'between',
      effectiveFrom: '2025-06-01',
      note: 'n',
      changes: { ratePercent: '1.40' },
    });
    const data = buildPolicyData(BUILT_IN_POLICY_DATA, [between]);
    expect(policyOn('2025-06-01', data.policyVersions)).toMatchObject({ id: 'between', ratePpm: 14_000n, facilityEndOn: '2027-12-31' });
    expect(policyOn('2026-01-15', data.policyVersions)).toMatchObject({ id: '2026-01-quarterly', ratePpm: 15_000n });
  });

  it('when a fixing equals the one in force before it, or a month is confirmed unchanged, then no fixing is added but the data is confirmed to its date', () => {
    const data = buildPolicyData(BUILT_IN_POLICY_DATA, [
      change('e', { kind: 'lpr_fixing', fixedOn: '2026-09-22', oneYearPercent: '3.00', fiveYearPlusPercent: '3.50' }),
      change('f', { kind: 'lpr_fixing', fixedOn: '2026-10-20', unchanged: true }),
      change('g', { kind: 'lpr_fixing', fixedOn: '2026-12-22', oneYearPercent: '2.90', fiveYearPlusPercent: '3.40' }),
    ]);
    expect(data.lprFixings.map((f) => f.fixedOn).slice(-2)).toEqual(['2025-05-20', '2026-12-22']);
    expect(data.lprConfirmedThrough).toBe('2026-10-20');
    expect(lprOn('2026-12-21', data.lprFixings)).toMatchObject({ fixedOn: '2025-05-20', oneYearPpm: 30_000n });
    expect(lprOn('2026-12-22', data.lprFixings)).toMatchObject({ fixedOn: '2026-12-22', oneYearPpm: 29_000n, fiveYearPlusPpm: 34_000n });
    expect(lprFreshness('2026-12-30', data)).toMatchObject({ latestFixingOn: '2026-12-22', ageDays: 8, stale: false });
  });

  it('when a taxonomy version adds and removes sub-areas, then it is the version before it with those changes', () => {
    const data = buildPolicyData(BUILT_IN_POLICY_DATA, [
      change('h', {
        kind: 'taxonomy_version',
        version: '2027-01',
        effectiveFrom: '2027-01-01',
        note: 'n',
        changes: { add: [{ code: 'CE.NUCLEAR', area: 'clean_energy', nameZh: '核电', nameEn: 'Nuclear' }], remove: ['CT.CCUS'] },
      }),
    ]);
    const codes = taxonomyOn('2027-01-01', data.taxonomyVersions)!.subAreas.map((s) => s.code);
    expect(codes).toContain('CE.NUCLEAR');
    expect(codes).not.toContain('CT.CCUS');
    expect(codes).toHaveLength(20);
  });
});

describe('stale LPR data', () => {
  it(`when the latest fixing known is ${LPR_STALE_AFTER_DAYS} days old, then it is fresh; a day more and it is stale; a clock before the data is never stale`, () => {
    expect(lprFreshness('2026-09-29', BUILT_IN_POLICY_DATA)).toMatchObject({
      latestFixingOn: '2026-08-20',
      ageDays: 40,
      stale: false,
      message: null,
    });
    expect(lprFreshness('2026-09-30', BUILT_IN_POLICY_DATA)).toMatchObject({ ageDays: 41, stale: true });
    expect(lprFreshness('2022-09-01', BUILT_IN_POLICY_DATA)).toMatchObject({ ageDays: 0, stale: false });
  });
});

describe('checking a proposed change', () => {
  it('when a policy version would leave the facility ended before it takes effect, then facility_end_before_effective names the date', () => {
    const violations = checkPolicyChange(
      BUILT_IN_POLICY_DATA,
      { kind: 'policy_version', effectiveFrom: '2028-02-01', note: 'n', changes: { ratePercent: '1.00' } },
      '2026-12-01',
    );
    expect(violations).toEqual([expect.objectContaining({ path: 'effectiveFrom', code: 'facility_end_before_effective' })]);
  });
});
