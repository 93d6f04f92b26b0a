/**
 * Institutions as data: a bank has a category, a province and its unified social credit code; the
 * categories eligible on a date are policy data (national from the launch, local legal-person and
 * foreign from 2023-01-29); a bank of a category not yet open is refused with the date it opens, and a
 * window granted as an exception (the two foreign banks of 2022-08) decides alone.
 * The tests of this file run in order: the clock moves from 2023-01-28 to 2023-01-29.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_POLICY_DATA, replacePolicyData } from '../../domain/policy/index.js';
import { syntheticCreditCode } from '../../domain/loans/credit-code.js';
import { act } from '../factories/approvals.js';
import { createLoan, get, openOperation, post } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
type Bank = { code: string; apiKey: string; loanRef: string };
const banks: Record<'local' | 'foreign' | 'exception' | 'national', Bank> = {} as never;

async function register(code: string, extra: Record<string, unknown>, serial: number): Promise<Bank> {
  const res = await request(t.app)
    .post('/api/v1/institutions')
    .set(bearer(t.operatorKey))
    .send({
      code,
      nameZh: `${code}银行`,
      nameEn: `${code} Bank`,
      kind: 'bank',
      eligibleFrom: '2022-01-01',
      province: '上海市',
      unifiedSocialCreditCode: syntheticCreditCode('91310000', serial),
      ...extra,
    });
  expect(res.status).toBe(201);
  const loan = await createLoan(t, res.body.apiKey, { disbursedOn: '2023-01-10', maturesOn: '2033-01-10', principal: '1000000.00' });
  return { code, apiKey: res.body.apiKey, loanRef: loan.loanRef };
}

const applyFor = (bank: Bank) => post(t, bank.apiKey, '/api/v1/applications', { loanRefs: [bank.loanRef] });

beforeAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  t = await createTestApp({ now: '2023-01-28T02:00:00Z' });
  await openOperation(t, '2023Q1', '100000000.00');
  banks.national = await register('CATNAT', { category: 'national' }, 1);
  banks.local = await register('CATLOC', { category: 'local_legal_person', province: '浙江省' }, 2);
  banks.foreign = await register('CATFOR', { category: 'foreign' }, 3);
  banks.exception = await register('CATDB', { category: 'foreign', categoryException: true, eligibleFrom: '2022-08-26' }, 4);
});
afterAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  await t.close();
});

describe('institution categories', () => {
  it('when an institution is registered, then its category, province and credit code are shown; a wrong check character is refused naming the field', async () => {
    const shown = await get(t, t.operatorKey, '/api/v1/institutions/CATLOC');
    expect(shown.body).toMatchObject({
      category: 'local_legal_person',
      province: '浙江省',
      unifiedSocialCreditCode: syntheticCreditCode('91310000', 2),
      categoryException: false,
    });
    const good = syntheticCreditCode('91310000', 9);
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const res = await post(t, t.operatorKey, '/api/v1/institutions', {
      code: 'CATBAD',
      nameZh: '错',
      nameEn: 'Wrong',
      kind: 'bank',
      unifiedSocialCreditCode: wrong,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'unifiedSocialCreditCode', code: 'credit_code_check_character' })]);
  });

  it('on 2023-01-28, the day before local and foreign institutions open, then the local and the foreign bank are refused with 2023-01-29; the national bank and the 2022-08 exception apply', async () => {
    for (const bank of [banks.local, banks.foreign]) {
      const res = await applyFor(bank);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'institution_category_not_eligible', opensOn: '2023-01-29' });
      expect(res.body.detail).toContain('2023-01-29');
    }
    expect((await applyFor(banks.national)).status).toBe(201);
    expect((await applyFor(banks.exception)).status).toBe(201);
  });

  it('when a second operator confirms local legal-person institutions from 2023-01-20 (four eyes), then the local bank applies on 2023-01-28 and the foreign one is still refused', async () => {
    const body = {
      kind: 'institution_categories',
      reason: 'notice read again',
      effectiveFrom: '2023-01-20',
      note: 'local legal-person institutions first',
      categories: ['national', 'local_legal_person'],
    };
    const proposed = await post(t, t.operatorKey, '/api/v1/policy/changes', body);
    expect(proposed.status).toBe(201);
    // the proposer cannot confirm it
    expect((await post(t, t.operatorKey, `/api/v1/policy/changes/${proposed.body.id}/confirm`)).status).toBe(403);
    expect((await applyFor(banks.local)).status).toBe(403);
    expect((await post(t, t.operator2Key!, `/api/v1/policy/changes/${proposed.body.id}/confirm`)).status).toBe(200);
    expect((await applyFor(banks.local)).status).toBe(201);
    const foreign = await applyFor(banks.foreign);
    expect(foreign.body).toMatchObject({ code: 'institution_category_not_eligible', opensOn: '2023-01-29' });
  });

  it('when anyone asks which categories are eligible, then the versions answer by date, the confirmed change included', async () => {
    const res = await request(t.app).get('/api/v1/policy/institution-categories?on=2023-01-28');
    expect(res.body).toMatchObject({ on: '2023-01-28', eligible: ['national', 'local_legal_person'] });
    expect(res.body.versions.map((v: { effectiveFrom: string }) => v.effectiveFrom)).toEqual(['2021-11-08', '2023-01-20', '2023-01-29']);
    const launch = await request(t.app).get('/api/v1/policy/institution-categories?on=2021-11-08');
    expect(launch.body.eligible).toEqual(['national']);
  });

  it('on 2023-01-29, then the foreign bank applies', async () => {
    t.setNow('2023-01-29T02:00:00Z');
    expect((await applyFor(banks.foreign)).status).toBe(201);
  });

  it('when an operator reclassifies a bank, then it takes four eyes and the category is shown', async () => {
    const res = await act(t, t.operatorKey, 'patch', '/api/v1/institutions/CATNAT', { category: 'foreign' });
    expect(res.status).toBe(200);
    expect((await get(t, t.operatorKey, '/api/v1/institutions/CATNAT')).body.category).toBe('foreign');
  });
});
