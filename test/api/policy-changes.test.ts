/**
 * Policy data that keeps up (issue 9, item 6): operators add LPR fixings, policy versions and taxonomy
 * versions through the API; a change takes effect only once a second operator confirms it, everywhere
 * the rules look the policy up by date; /policy and /readyz say when the LPR data is stale.
 * The tests of this file run in order: each builds on the data the previous ones confirmed.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshPolicyData } from '../../app/policy/policy-data.js';
import { BUILT_IN_POLICY_DATA, policyData, replacePolicyData } from '../../domain/policy/index.js';
import { act } from '../factories/approvals.js';
import { createInstitution, createUser } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let op1: string;
let op2: string;
let bank: { code: string; apiKey: string };
let verifier: { code: string; apiKey: string };

beforeAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  t = await createTestApp({ now: '2026-12-28T04:00:00Z' });
  op1 = t.operatorKey;
  op2 = (await createUser(t, 'PBOC', 'second operator')).apiKey;
  bank = await createInstitution(t, { code: 'POLBANK' });
  verifier = await createInstitution(t, { code: 'POLVER', kind: 'verifier' });
});
afterAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  await t.close();
});

const post = (key: string, path: string, body?: unknown) => {
  const call = request(t.app).post(path).set(bearer(key));
  return body === undefined ? call : call.send(body as object);
};
const get = (key: string | null, path: string) => (key ? request(t.app).get(path).set(bearer(key)) : request(t.app).get(path));
const propose = (key: string, body: Record<string, unknown>) => post(key, '/api/v1/policy/changes', body);

const DECEMBER_FIXING = {
  kind: 'lpr_fixing',
  reason: 'LPR announcement of 2026-12-22',
  fixedOn: '2026-12-22',
  oneYearPercent: '2.90',
  fiveYearPlusPercent: '3.40',
};

describe('stale LPR data', () => {
  it('when the latest fixing known is more than 40 days old, then /policy and /readyz say so, and readiness stays 200', async () => {
    // built-in data: last change 2025-05-20, confirmed unchanged through 2026-08-20; today 2026-12-28
    const policy = await get(null, '/api/v1/policy');
    expect(policy.status).toBe(200);
    expect(policy.body.lpr).toMatchObject({ latestFixingOn: '2026-08-20', ageDays: 130, staleAfterDays: 40, stale: true });
    expect(policy.body.lpr.message).toContain('2026-08-20');
    const ready = await get(null, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.warnings).toEqual([expect.objectContaining({ code: 'lpr_stale', latestFixingOn: '2026-08-20', ageDays: 130 })]);
  });

  it('when the latest fixing known is 40 days old, then it is not stale yet; on the 41st day it is', async () => {
    t.setNow('2026-09-29T04:00:00Z'); // 40 days after 2026-08-20 in Asia/Shanghai
    expect((await get(null, '/api/v1/policy')).body.lpr).toMatchObject({ ageDays: 40, stale: false, message: null });
    expect((await get(null, '/readyz')).body.warnings).toEqual([]);
    t.setNow('2026-09-30T04:00:00Z');
    expect((await get(null, '/api/v1/policy')).body.lpr).toMatchObject({ ageDays: 41, stale: true });
    t.setNow('2026-12-28T04:00:00Z');
  });
});

describe('an LPR fixing, with four eyes', () => {
  let changeId: string;

  it('when an operator proposes the 2026-12-22 fixing, then it is pending and nothing changes yet', async () => {
    const res = await propose(op1, DECEMBER_FIXING);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'lpr_fixing',
      status: 'pending',
      effectiveOn: '2026-12-22',
      versionId: null,
      reason: 'LPR announcement of 2026-12-22',
      data: { kind: 'lpr_fixing', fixedOn: '2026-12-22', oneYearPercent: '2.90', fiveYearPlusPercent: '3.40' },
      proposedBy: { name: 'bootstrap operator' },
      proposedAt: '2026-12-28T04:00:00.000Z',
      decision: null,
    });
    changeId = res.body.id;
    const lpr = await get(null, '/api/v1/lpr');
    expect(lpr.body.fixings.at(-1).fixedOn).toBe('2025-05-20');
  });

  it('when the same operator confirms it, then four_eyes_violation 403 and nothing changed', async () => {
    const res = await post(op1, `/api/v1/policy/changes/${changeId}/confirm`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('four_eyes_violation');
    expect((await get(op1, `/api/v1/policy/changes/${changeId}`)).body).toMatchObject({ status: 'pending', decision: null });
    expect((await get(null, '/api/v1/lpr')).body.fixings.at(-1).fixedOn).toBe('2025-05-20');
    const loan = await post(
      bank.apiKey,
      '/api/v1/loans',
      loanRequest({ disbursedOn: '2026-12-23', maturesOn: '2029-12-23', annualRatePercent: '3.00' }),
    );
    expect(loan.status).toBe(201);
    expect(loan.body.lprComparison).toMatchObject({ tenor: '1y', month: '2025-05', lprPercent: '3.00' });
  });

  it('when a second operator confirms it, then loans disbursed from 2026-12-22 compare with it and earlier loans keep the old fixing', async () => {
    const res = await post(op2, `/api/v1/policy/changes/${changeId}/confirm`, { comment: 'checked against the NIFC announcement' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      decision: {
        status: 'confirmed',
        by: { name: 'second operator' },
        at: '2026-12-28T04:00:00.000Z',
        note: 'checked against the NIFC announcement',
      },
    });

    const after = await post(
      bank.apiKey,
      '/api/v1/loans',
      loanRequest({ disbursedOn: '2026-12-23', maturesOn: '2029-12-23', annualRatePercent: '3.00' }),
    );
    expect(after.status).toBe(201);
    expect(after.body.lprComparison).toEqual({ tenor: '1y', month: '2026-12', lprPercent: '2.90', deviationBp: '10', withinBand: true });
    const longer = await post(
      bank.apiKey,
      '/api/v1/loans',
      loanRequest({ disbursedOn: '2026-12-23', maturesOn: '2036-12-23', annualRatePercent: '3.00' }),
    );
    expect(longer.body.lprComparison).toMatchObject({ tenor: '5y_plus', month: '2026-12', lprPercent: '3.40', deviationBp: '-40' });
    const before = await post(
      bank.apiKey,
      '/api/v1/loans',
      loanRequest({ disbursedOn: '2026-12-21', maturesOn: '2029-12-21', annualRatePercent: '3.00' }),
    );
    expect(before.status).toBe(201);
    expect(before.body.lprComparison).toEqual({ tenor: '1y', month: '2025-05', lprPercent: '3.00', deviationBp: '0', withinBand: true });

    const lpr = await get(null, '/api/v1/lpr');
    expect(lpr.body.fixings.at(-1)).toEqual({ fixedOn: '2026-12-22', oneYearPercent: '2.90', fiveYearPlusPercent: '3.40' });
    expect((await get(null, '/api/v1/policy')).body.lpr).toMatchObject({ latestFixingOn: '2026-12-22', ageDays: 6, stale: false });
    expect((await get(null, '/readyz')).body.warnings).toEqual([]);
  });

  it('when a decided change is confirmed or declined again, then proposal_not_pending 409', async () => {
    const again = await post(op2, `/api/v1/policy/changes/${changeId}/confirm`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'proposal_not_pending', currentStatus: 'confirmed' });
    const decline = await post(op1, `/api/v1/policy/changes/${changeId}/decline`, { reason: 'too late' });
    expect(decline.status).toBe(409);
    expect(decline.body.code).toBe('proposal_not_pending');
  });

  it('when another fixing is proposed on a date already taken (by a live change or the built-in data), then effective_date_taken 409', async () => {
    const same = await propose(op1, { ...DECEMBER_FIXING, oneYearPercent: '2.85' });
    expect(same.status).toBe(409);
    expect(same.body).toMatchObject({
      code: 'effective_date_taken',
      changeId,
      errors: [{ path: 'fixedOn', code: 'effective_date_taken' }],
    });
    const builtIn = await propose(op1, { ...DECEMBER_FIXING, fixedOn: '2025-05-20' });
    expect(builtIn.status).toBe(409);
    expect(builtIn.body.code).toBe('effective_date_taken');
  });

  it('when a process reads the confirmed rows afresh (another process, or a restart), then it has the same data', async () => {
    replacePolicyData(BUILT_IN_POLICY_DATA);
    expect((await get(null, '/api/v1/lpr')).body.fixings.at(-1).fixedOn).toBe('2025-05-20');
    expect(await refreshPolicyData(t.database.db)).toBe(true);
    expect((await get(null, '/api/v1/lpr')).body.fixings.at(-1).fixedOn).toBe('2026-12-22');
    expect(await refreshPolicyData(t.database.db)).toBe(false);
    expect(policyData().changeIds).toEqual([changeId]);
  });
});

describe('a month confirmed unchanged', () => {
  it('when the clock passes 40 days and an operator confirms the January fixing unchanged, then the data is fresh again and no new fixing appears', async () => {
    t.setNow('2027-02-15T04:00:00Z');
    expect((await get(null, '/readyz')).body.warnings).toEqual([
      expect.objectContaining({ code: 'lpr_stale', latestFixingOn: '2026-12-22', ageDays: 55 }),
    ]);
    const proposed = await propose(op2, { kind: 'lpr_fixing', reason: 'January LPR unchanged', fixedOn: '2027-01-20', unchanged: true });
    expect(proposed.status).toBe(201);
    const confirmed = await post(op1, `/api/v1/policy/changes/${proposed.body.id}/confirm`);
    expect(confirmed.status).toBe(200);
    const lpr = await get(null, '/api/v1/lpr');
    expect(lpr.body.confirmedThrough).toBe('2027-01-20');
    expect(lpr.body.fixings.at(-1).fixedOn).toBe('2026-12-22');
    expect(lpr.body.freshness).toMatchObject({ latestFixingOn: '2027-01-20', ageDays: 26, stale: false });
    expect((await get(null, '/readyz')).body.warnings).toEqual([]);
    t.setNow('2026-12-28T04:00:00Z');
  });
});

describe('a policy version', () => {
  it('when a rate change from 2027-01-10 is proposed, then /policy?on= shows it only after a second operator confirms, with every other parameter carried over', async () => {
    const proposed = await propose(op1, {
      kind: 'policy_version',
      reason: 'PBoC notice on the special structural tools rate',
      effectiveFrom: '2027-01-10',
      note: 'Special structural tool rate cut to 1.00 %',
      changes: { ratePercent: '1.00' },
    });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({
      kind: 'policy_version',
      effectiveOn: '2027-01-10',
      versionId: '2027-01-10',
      data: { id: '2027-01-10', changes: { ratePercent: '1.00' } },
    });
    expect((await get(null, '/api/v1/policy?on=2027-01-10')).body.policy).toMatchObject({ id: '2026-01-rate-cut', ratePercent: '1.25' });

    expect((await post(op1, `/api/v1/policy/changes/${proposed.body.id}/confirm`)).status).toBe(403);
    expect((await get(null, '/api/v1/policy?on=2027-01-10')).body.policy.ratePercent).toBe('1.25');

    expect((await post(op2, `/api/v1/policy/changes/${proposed.body.id}/confirm`)).status).toBe(200);
    const on = await get(null, '/api/v1/policy?on=2027-01-10');
    expect(on.body.policy).toMatchObject({
      id: '2027-01-10',
      effectiveFrom: '2027-01-10',
      note: 'Special structural tool rate cut to 1.00 %',
      ratePercent: '1.00',
      annualCapYuan: '800000000000.00',
      facilityEndOn: '2027-12-31',
      taxonomyVersion: '2026-01',
      supportSharePercent: '60.00',
    });
    expect(on.body.versions.at(-1)).toEqual({
      id: '2027-01-10',
      effectiveFrom: '2027-01-10',
      note: 'Special structural tool rate cut to 1.00 %',
    });
    expect((await get(null, '/api/v1/policy?on=2027-01-09')).body.policy).toMatchObject({ id: '2026-01-rate-cut', ratePercent: '1.25' });
  });

  it('when a later version changes the cap and the end date, then it inherits the confirmed rate; declined, it changes nothing and frees its date', async () => {
    const body = {
      kind: 'policy_version',
      reason: 'Facility extended',
      id: '2027-06-extension',
      effectiveFrom: '2027-06-01',
      note: 'Facility extended to end-2029; annual cap 10,000 亿元',
      changes: { facilityEndOn: '2029-12-31', annualCapYuan: '1000000000000.00', collateralHaircutPercent: { high_grade_loan: '25' } },
    };
    const first = await propose(op2, body);
    expect(first.status).toBe(201);
    const withdrawn = await post(op2, `/api/v1/policy/changes/${first.body.id}/decline`, {
      reason: 'wrong cap: the notice says 9,000 亿元',
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({
      status: 'declined',
      decision: { status: 'declined', note: 'wrong cap: the notice says 9,000 亿元', by: { name: 'second operator' } },
    });
    expect((await get(null, '/api/v1/policy?on=2027-06-01')).body.policy.id).toBe('2027-01-10');

    const second = await propose(op2, { ...body, changes: { ...body.changes, annualCapYuan: '900000000000.00' } });
    expect(second.status).toBe(201);
    expect((await post(op1, `/api/v1/policy/changes/${second.body.id}/confirm`)).status).toBe(200);
    const policy = (await get(null, '/api/v1/policy?on=2028-03-01')).body.policy;
    expect(policy).toMatchObject({
      id: '2027-06-extension',
      ratePercent: '1.00',
      annualCapYuan: '900000000000.00',
      facilityEndOn: '2029-12-31',
    });
    expect(policy.collateralHaircutPercent).toMatchObject({ high_grade_loan: '25.00', aaa_credit_bond: '10.00' });
  });

  it('when an operation is opened in 2028, then the confirmed end date lets it (the rules read the data in force)', async () => {
    t.setNow('2028-01-05T04:00:00Z');
    const res = await act(t, op1, 'post', '/api/v1/operations', { quarter: '2028Q1', volume: '1000000.00' }, { confirmerKey: op2 });
    expect(res.status).toBe(200);
    t.setNow('2026-12-28T04:00:00Z');
  });
});

describe('a taxonomy version', () => {
  it('when a version adding a sub-area is confirmed, then /taxonomy?on= lists it from its date, and a version name already used is version_id_taken', async () => {
    const taken = await propose(op1, {
      kind: 'taxonomy_version',
      reason: 'x',
      version: '2026-01',
      effectiveFrom: '2027-03-01',
      note: 'x',
      changes: { add: [{ code: 'CE.NUCLEAR', area: 'clean_energy', nameZh: '核电', nameEn: 'Nuclear power' }] },
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'version_id_taken', errors: [{ path: 'version' }] });

    const proposed = await propose(op1, {
      kind: 'taxonomy_version',
      reason: 'Catalogue revision',
      version: '2027-03',
      effectiveFrom: '2027-03-01',
      note: 'Nuclear power added',
      changes: { add: [{ code: 'CE.NUCLEAR', area: 'clean_energy', nameZh: '核电', nameEn: 'Nuclear power' }] },
    });
    expect(proposed.status).toBe(201);
    expect((await post(op2, `/api/v1/policy/changes/${proposed.body.id}/confirm`)).status).toBe(200);
    const on = await get(null, '/api/v1/taxonomy?on=2027-03-01');
    expect(on.body.version).toBe('2027-03');
    expect(on.body.subAreas).toHaveLength(21);
    expect(on.body.subAreas.at(-1)).toMatchObject({ code: 'CE.NUCLEAR', areaEn: 'Clean energy' });
    expect((await get(null, '/api/v1/taxonomy?on=2027-02-28')).body.version).toBe('2026-01');
  });
});

describe('bad input and the wrong callers', () => {
  const expectRule = async (body: unknown, path: string, code: string) => {
    const res = await propose(op1, body as Record<string, unknown>);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, code })]));
  };

  it('when a proposal breaks a rule, then 422 names the field and the rule, never a 500', async () => {
    await expectRule({ reason: 'x', fixedOn: '2026-12-01' }, 'kind', 'invalid_union');
    await expectRule({ ...DECEMBER_FIXING, fixedOn: '2026-11-31' }, 'fixedOn', 'invalid_date');
    await expectRule({ ...DECEMBER_FIXING, fixedOn: '2026-11-20', oneYearPercent: '2.9x' }, 'oneYearPercent', 'invalid_rate');
    await expectRule({ kind: 'lpr_fixing', reason: 'x', fixedOn: '2026-11-20', oneYearPercent: '2.90' }, 'fiveYearPlusPercent', 'required');
    await expectRule(
      { kind: 'lpr_fixing', reason: 'x', fixedOn: '2026-11-20', oneYearPercent: '0', fiveYearPlusPercent: '3.40' },
      'oneYearPercent',
      'rate_not_positive',
    );
    await expectRule(
      { kind: 'lpr_fixing', reason: 'x', fixedOn: '2026-11-20', unchanged: true, oneYearPercent: '2.90' },
      'oneYearPercent',
      'unchanged_with_rates',
    );
    await expectRule({ ...DECEMBER_FIXING, fixedOn: '2027-01-20' }, 'fixedOn', 'fixing_in_future');
    await expectRule({ ...DECEMBER_FIXING, fixedOn: '2026-11-20', reason: '' }, 'reason', 'too_small');
    const version = { kind: 'policy_version', reason: 'x', effectiveFrom: '2027-09-01', note: 'n' };
    await expectRule({ ...version, changes: {} }, 'changes', 'nothing_changed');
    await expectRule({ ...version, changes: { ratePercent: '0.00' } }, 'changes.ratePercent', 'rate_not_positive');
    await expectRule({ ...version, changes: { ratePercent: '1.5%' } }, 'changes.ratePercent', 'invalid_rate');
    await expectRule({ ...version, changes: { annualCapYuan: '1.234' } }, 'changes.annualCapYuan', 'invalid_money');
    await expectRule({ ...version, changes: { taxonomyVersion: '2099-01' } }, 'changes.taxonomyVersion', 'unknown_taxonomy_version');
    await expectRule({ ...version, changes: { lprBand: { lowerBp: 50, upperBp: -50 } } }, 'changes.lprBand', 'band_inverted');
    await expectRule({ ...version, changes: { supportSharePercent: '120' } }, 'changes.supportSharePercent', 'share_out_of_range');
    await expectRule(
      { ...version, changes: { collateralHaircutPercent: { high_grade_loan: '100' } } },
      'changes.collateralHaircutPercent.high_grade_loan',
      'haircut_out_of_range',
    );
    await expectRule({ ...version, changes: { facilityEndOn: '2027-08-31' } }, 'changes.facilityEndOn', 'facility_end_before_effective');
    await expectRule(
      { ...version, effectiveFrom: '2021-01-01', changes: { ratePercent: '1.00' } },
      'effectiveFrom',
      'before_facility_launch',
    );
    await expectRule({ ...version, changes: { rate: '1.00' } }, 'changes', 'unrecognized_keys');
    await expectRule({ ...version, id: 'no spaces', changes: { ratePercent: '1.00' } }, 'id', 'invalid_version_name');
    const taxonomy = { kind: 'taxonomy_version', reason: 'x', version: '2027-09', effectiveFrom: '2027-09-01', note: 'n' };
    await expectRule({ ...taxonomy, changes: { remove: ['CE.UNKNOWN'] } }, 'changes.remove.0', 'unknown_sub_area');
    await expectRule(
      { ...taxonomy, changes: { add: [{ code: 'CE.WIND', area: 'clean_energy', nameZh: '风', nameEn: 'Wind' }] } },
      'changes.add.0.code',
      'sub_area_exists',
    );
    await expectRule(
      { ...taxonomy, changes: { add: [{ code: 'wind', area: 'sky', nameZh: '风', nameEn: 'Wind' }] } },
      'changes.add.0.code',
      'invalid_sub_area_code',
    );
    await expectRule({ ...taxonomy, changes: {} }, 'changes', 'nothing_changed');
    await expectRule({ ...DECEMBER_FIXING, fixedOn: '2026-11-20', reason: 'a\u0000b' }, 'reason', 'invalid_character');

    const decline = await post(op2, '/api/v1/policy/changes/00000000-0000-0000-0000-000000000000/decline', {});
    expect(decline.status).toBe(422);
    expect(decline.body.errors[0]).toMatchObject({ path: 'reason', code: 'required' });
    expect((await post(op2, '/api/v1/policy/changes/not-a-uuid/confirm')).status).toBe(404);
    expect((await post(op2, '/api/v1/policy/changes/00000000-0000-0000-0000-000000000000/decline', { reason: 'x' })).status).toBe(404);
    expect((await get(op1, '/api/v1/policy/changes?cursor=nonsense')).status).toBe(422);
    expect((await get(op1, '/api/v1/policy/changes?status=maybe')).status).toBe(422);
  });

  it('when a bank or a verifier key proposes, lists or confirms, then 403; without a key, 401', async () => {
    const list = await get(op1, '/api/v1/policy/changes?status=confirmed&limit=1');
    const someId = list.body.items[0].id;
    for (const key of [bank.apiKey, verifier.apiKey]) {
      expect((await propose(key, DECEMBER_FIXING)).status).toBe(403);
      expect((await get(key, '/api/v1/policy/changes')).status).toBe(403);
      expect((await get(key, `/api/v1/policy/changes/${someId}`)).status).toBe(403);
      expect((await post(key, `/api/v1/policy/changes/${someId}/confirm`)).status).toBe(403);
      expect((await post(key, `/api/v1/policy/changes/${someId}/decline`, { reason: 'no' })).status).toBe(403);
    }
    expect((await request(t.app).post('/api/v1/policy/changes').send(DECEMBER_FIXING)).status).toBe(401);
  });
});

describe('the audit list', () => {
  it('when the changes are listed a page at a time, then every change appears once, newest first, with who and why', async () => {
    const items: { id: string; status: string; proposedAt: string; reason: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get(op1, `/api/v1/policy/changes?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(items.map((i) => i.reason)).toEqual([
      'Catalogue revision',
      'Facility extended',
      'Facility extended',
      'PBoC notice on the special structural tools rate',
      'January LPR unchanged',
      'LPR announcement of 2026-12-22',
    ]);
    expect(items.map((i) => i.status)).toEqual(['confirmed', 'confirmed', 'declined', 'confirmed', 'confirmed', 'confirmed']);
    const declined = await get(op1, '/api/v1/policy/changes?status=declined');
    expect(declined.body.items).toHaveLength(1);
    const fixings = await get(op1, '/api/v1/policy/changes?kind=lpr_fixing');
    expect(fixings.body.items.map((i: { effectiveOn: string }) => i.effectiveOn)).toEqual(['2027-01-20', '2026-12-22']);
  });
});

describe('two operators at once', () => {
  it('when two fixings for the same date are proposed at the same time, then one is pending and the other effective_date_taken', async () => {
    const body = {
      kind: 'lpr_fixing',
      reason: 'November fixing',
      fixedOn: '2026-11-20',
      oneYearPercent: '3.00',
      fiveYearPlusPercent: '3.50',
    };
    const answers = await Promise.all([propose(op1, body), propose(op2, body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('effective_date_taken');
    const created = answers.find((a) => a.status === 201)!.body;
    // equal to the fixing in force before it: once confirmed it confirms the month unchanged, no new fixing
    const confirmer = created.proposedBy.name === 'second operator' ? op1 : op2;
    expect((await post(confirmer, `/api/v1/policy/changes/${created.id}/confirm`)).status).toBe(200);
    const lpr = await get(null, '/api/v1/lpr');
    expect(lpr.body.fixings.map((f: { fixedOn: string }) => f.fixedOn)).not.toContain('2026-11-20');
    expect(lpr.body.fixings.at(-1).fixedOn).toBe('2026-12-22');
  });
});
