/**
 * The facility's figures on a date, from the journal and the supported loans as they stood on it:
 * dates either side of a back-dated disbursement, a repayment, and a rollover across the rate change of
 * 2025-05-08 (1.75 % → 1.50 %), each against figures computed by hand below.
 * The tests of this file run in order: the clock moves forward through 2024 and 2025.
 *
 * Bank NAT (national, 北京市): loans L1 1,000,000.00 (project in 内蒙古自治区: 210,000 t on 800,000,000.00
 * → 262.50 t attributed) and L2 2,000,000.00 (河北省: 50,000 t on 100,000,000.00 → 1,000.00 t), one borrower.
 * Bank LOC (local legal-person, 浙江省): loan L3 500,000.00 (浙江省: 10,000 t on 50,000,000.00 → 100.00 t).
 * Later LOC lends L4 800,000.00 to the same borrower 甲 (河北省: 40,000 t on 200,000,000.00 → 160.00 t);
 * its disbursement (2025-06-10) is reversed as of 2025-06-12, booked on 2025-06-16.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCreditCode } from '../../domain/loans/credit-code.js';
import { createUser } from '../factories/institutions.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, reverseEntry } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let checker: { apiKey: string };
const keys: Record<string, string> = {};
let natTranche = '';
let locApplication = '';

async function register(code: string, category: string, province: string, serial: number) {
  const res = await request(t.app)
    .post('/api/v1/institutions')
    .set(bearer(t.operatorKey))
    .send({
      code,
      nameZh: `${code}银行`,
      nameEn: `${code} Bank`,
      kind: 'bank',
      eligibleFrom: '2021-11-08',
      category,
      province,
      unifiedSocialCreditCode: syntheticCreditCode('91110000', serial),
    });
  expect(res.status).toBe(201);
  keys[code] = res.body.apiKey;
}

const loan = (ref: string, principal: string, borrower: string, project: Record<string, string>, disbursedOn: string) => ({
  loanRef: ref,
  principal,
  disbursedOn,
  maturesOn: '2027-05-15',
  annualRatePercent: '3.50',
  borrower: { name: `${borrower}有限公司`, creditCode: syntheticCreditCode('91330000', borrower.length * 7 + ref.length) },
  project: { ref: `P-${ref}`, name: `${ref}项目`, ...project },
});

const stats = async (on: string) => {
  const res = await get(t, t.operatorKey, `/api/v1/facility/statistics?on=${on}`);
  expect(res.status).toBe(200);
  return res.body;
};

beforeAll(async () => {
  t = await createTestApp({ now: '2024-06-03T02:00:00Z' });
  checker = await createUser(t, 'PBOC', 'second operator');
  await register('STNAT', 'national', '北京市', 11);
  await register('STLOC', 'local_legal_person', '浙江省', 12);
  await createLoan(
    t,
    keys.STNAT,
    loan(
      'L1',
      '1000000.00',
      '甲',
      { province: '内蒙古自治区', totalInvestment: '800000000.00', annualReductionTonnes: '210000.00' },
      '2024-05-15',
    ),
  );
  await createLoan(
    t,
    keys.STNAT,
    loan(
      'L2',
      '2000000.00',
      '甲',
      { province: '河北省', totalInvestment: '100000000.00', annualReductionTonnes: '50000.00' },
      '2024-05-20',
    ),
  );
  await createLoan(
    t,
    keys.STLOC,
    loan(
      'L3',
      '500000.00',
      '乙乙',
      { province: '浙江省', totalInvestment: '50000000.00', annualReductionTonnes: '10000.00' },
      '2024-06-01',
    ),
  );
  await openOperation(t, '2024Q2', '100000000.00');
  const nat = await apply(t, keys.STNAT, { operation: '2024Q2', loanRefs: ['L1', 'L2'], collateral: [bond('CGB-NAT', '2000000.00')] });
  await approve(t, t.operatorKey, nat.id);
  natTranche = (await disburse(t, checker.apiKey, nat.id)).id;
  t.setNow('2024-06-20T02:00:00Z');
  const loc = await apply(t, keys.STLOC, { operation: '2024Q2', loanRefs: ['L3'], collateral: [bond('CGB-LOC', '400000.00')] });
  await approve(t, t.operatorKey, loc.id);
  locApplication = loc.id;
});
afterAll(async () => t.close());

describe('the facility statistics', () => {
  it('on the day before and the day of the first disbursement, then nothing, then 60 % × 3,000,000.00 provided over 2 loans of 1 enterprise', async () => {
    expect((await stats('2024-06-02')).total).toMatchObject({ provided: '0.00', outstanding: '0.00', loans: 0, enterprises: 0 });
    const day = await stats('2024-06-03');
    expect(day.total).toEqual({
      provided: '1800000.00',
      outstanding: '1800000.00',
      weightedRatePercent: '1.75',
      tranches: 1,
      institutions: 1,
      loans: 2,
      loansPrincipal: '3000000.00',
      enterprises: 1,
      projects: 2,
      annualReductionTonnes: '1262.50', // 262.50 + 1,000.00
    });
  });

  it('when a disbursement dated 2024-06-20 is booked on 2024-07-15, then the figures of 2024-06-20 onwards change, 2024-06-19 does not, and lastChanged moves', async () => {
    t.setNow('2024-07-15T02:00:00Z');
    const before = await stats('2024-06-30');
    expect(before.total).toMatchObject({ provided: '1800000.00', loans: 2 });
    const booked = await post(t, checker.apiKey, `/api/v1/applications/${locApplication}/disburse`, {
      on: '2024-06-20',
      reason: 'booked on paper that day',
    });
    expect(booked.status).toBe(201);

    expect((await stats('2024-06-19')).total).toMatchObject({ provided: '1800000.00', loans: 2, enterprises: 1 });
    const after = await stats('2024-06-30');
    // + 60 % × 500,000.00 = 300,000.00
    expect(after.total).toMatchObject({
      provided: '2100000.00',
      outstanding: '2100000.00',
      institutions: 2,
      loans: 3,
      loansPrincipal: '3500000.00',
      enterprises: 2,
      projects: 3,
      annualReductionTonnes: '1362.50',
    });
    expect(new Date(after.lastChanged.at).getTime()).toBeGreaterThan(new Date(before.lastChanged.at).getTime());
    expect(after.byCategory).toEqual([
      expect.objectContaining({ category: 'local_legal_person', provided: '300000.00', loans: 1, annualReductionTonnes: '100.00' }),
      expect.objectContaining({ category: 'national', provided: '1800000.00', loans: 2, enterprises: 1 }),
    ]);
    expect(after.byProvince.map((p: { province: string; loansPrincipal: string }) => [p.province, p.loansPrincipal])).toEqual(
      expect.arrayContaining([
        ['内蒙古自治区', '1000000.00'],
        ['河北省', '2000000.00'],
        ['浙江省', '500000.00'],
      ]),
    );
    expect(after.byInstitution.map((b: { code: string; outstanding: string }) => [b.code, b.outstanding])).toEqual([
      ['STLOC', '300000.00'],
      ['STNAT', '1800000.00'],
    ]);
  });

  it('when NAT repays 800,000.00 on 2024-09-02, then outstanding falls on that date only and what was provided stays; the journal balances say the same', async () => {
    t.setNow('2024-09-02T02:00:00Z');
    expect((await post(t, keys.STNAT, `/api/v1/facilities/${natTranche}/repay`, { principal: '800000.00' })).status).toBe(200);
    expect((await stats('2024-09-01')).total).toMatchObject({ provided: '2100000.00', outstanding: '2100000.00' });
    expect((await stats('2024-09-02')).total).toMatchObject({ provided: '2100000.00', outstanding: '1300000.00', loans: 3 });
    const balance = async (on: string) => {
      const res = await get(t, t.operatorKey, `/api/v1/journal/balances?institution=STNAT&on=${on}`);
      return res.body.accounts.find((a: { account: string }) => a.account === 'pbc:relending_receivable:STNAT').balance;
    };
    expect(await balance('2024-09-01')).toBe('1800000.00');
    expect(await balance('2024-09-02')).toBe('1000000.00');
  });

  it('when NAT rolls its 1,000,000.00 over on 2025-06-03, after the rate fell to 1.50 %, then the weighted rate moves on that date and provided does not count the rollover', async () => {
    t.setNow('2025-06-03T02:00:00Z');
    const rolled = await post(t, keys.STNAT, `/api/v1/facilities/${natTranche}/rollover`);
    expect(rolled.status).toBe(201);
    expect(rolled.body.facility).toMatchObject({ principal: '1000000.00', ratePercent: '1.50' });
    // 2025-06-02: (1,000,000 × 1.75 + 300,000 × 1.75) ÷ 1,300,000 = 1.75
    expect((await stats('2025-06-02')).total).toMatchObject({ outstanding: '1300000.00', weightedRatePercent: '1.75', tranches: 2 });
    // 2025-06-03: (1,000,000 × 1.50 + 300,000 × 1.75) ÷ 1,300,000 = 2,025,000 ÷ 1,300,000 = 1.5577 → 1.56
    const after = await stats('2025-06-03');
    expect(after.total).toMatchObject({ provided: '2100000.00', outstanding: '1300000.00', weightedRatePercent: '1.56', tranches: 2 });
  });

  it('with ?series=quarters, then every quarter end from 2021-12-31 is answered, each with its own figures; the public view has no bank lines', async () => {
    const res = await get(t, t.operatorKey, '/api/v1/facility/statistics?on=2025-06-03&series=quarters');
    const series = res.body.series as { on: string; total: { provided: string; outstanding: string } }[];
    expect(series.map((s) => s.on).slice(0, 2)).toEqual(['2021-12-31', '2022-03-31']);
    expect(series.length).toBe(14); // 2021Q4 … 2025Q1
    const at = (on: string) => series.find((s) => s.on === on)!.total;
    expect(at('2024-03-31')).toMatchObject({ provided: '0.00' });
    expect(at('2024-06-30')).toMatchObject({ provided: '2100000.00', outstanding: '2100000.00', loans: 3, enterprises: 2 });
    expect(at('2024-03-31')).toMatchObject({ loans: 0, enterprises: 0 });
    // a date that is itself a quarter end is counted once
    const onEnd = await get(t, t.operatorKey, '/api/v1/facility/statistics?on=2024-06-30&series=quarters');
    expect(onEnd.body.total).toMatchObject({ provided: '2100000.00', loans: 3 });
    expect(onEnd.body.series.at(-1)).toMatchObject({ on: '2024-06-30', total: expect.objectContaining({ provided: '2100000.00' }) });
    expect(at('2024-09-30')).toMatchObject({ provided: '2100000.00', outstanding: '1300000.00' });
    const pub = await request(t.app).get('/api/v1/public/facility/statistics?on=2025-06-03');
    expect(pub.status).toBe(200);
    expect(pub.body.total.outstanding).toBe('1300000.00');
    expect(pub.body.byInstitution).toEqual([]);
    expect((await get(t, keys.STNAT, '/api/v1/facility/statistics')).status).toBe(403);
  });

  it('when anyone opens the public statistics page and its CSV, then they show the published figures of the date and no bank', async () => {
    const page = await request(t.app).get('/statistics?on=2024-09-02&lang=en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('1300000.00');
    expect(page.text).not.toContain('STNAT');
    const csv = await request(t.app).get('/statistics.csv?on=2024-09-02');
    expect(csv.status).toBe(200);
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('scope,key,provided,outstanding,loans,loansPrincipal,enterprises,projects,annualReductionTonnes');
    expect(lines[1]).toBe('total,,2100000.00,1300000.00,3,3500000.00,2,3,1362.50');
    const json = await request(t.app).get('/statistics.json?on=2024-09-02');
    expect(JSON.parse(json.text).total).toMatchObject({ outstanding: '1300000.00', loans: 3 });
  });

  it('when LOC disburses on 2025-06-10 a loan of borrower 甲, who also borrows from NAT, then 甲 is one enterprise of the facility and one of each category', async () => {
    t.setNow('2025-06-10T02:00:00Z');
    await createLoan(
      t,
      keys.STLOC,
      loan(
        'L4',
        '800000.00',
        '甲',
        { province: '河北省', totalInvestment: '200000000.00', annualReductionTonnes: '40000.00' },
        '2025-06-05',
      ),
    );
    await openOperation(t, '2025Q2', '100000000.00');
    const loc = await apply(t, keys.STLOC, { operation: '2025Q2', loanRefs: ['L4'], collateral: [bond('CGB-LOC2', '700000.00')] });
    await approve(t, t.operatorKey, loc.id);
    await disburse(t, checker.apiKey, loc.id);
    const before = await stats('2025-06-09');
    expect(before.total).toMatchObject({ provided: '2100000.00', loans: 3, loansPrincipal: '3500000.00', enterprises: 2, projects: 3 });
    const on = await stats('2025-06-10');
    // + 60 % × 800,000.00 = 480,000.00; 甲 (L1, L2 at NAT; L4 at LOC) and 乙乙 (L3): 2 enterprises
    expect(on.total).toMatchObject({
      provided: '2580000.00',
      outstanding: '1780000.00', // 1,300,000.00 + 480,000.00
      loans: 4,
      loansPrincipal: '4300000.00',
      enterprises: 2,
      projects: 4,
      annualReductionTonnes: '1522.50', // 1,362.50 + 160.00
    });
    expect(on.byCategory).toEqual([
      expect.objectContaining({ category: 'local_legal_person', provided: '780000.00', loans: 2, enterprises: 2, projects: 2 }),
      expect.objectContaining({ category: 'national', provided: '1800000.00', loans: 2, enterprises: 1, projects: 2 }),
    ]);
    expect(on.byProvince.find((p: { province: string }) => p.province === '河北省')).toMatchObject({
      loans: 2,
      loansPrincipal: '2800000.00',
      enterprises: 1,
      projects: 2,
    });
    // the public figures of 2025-06-12 as they stand now (shown, and kept)
    expect(JSON.parse((await request(t.app).get('/statistics.json?on=2025-06-12')).text).total).toMatchObject({ loans: 4 });
  });

  it('when that disbursement is reversed as of 2025-06-12, booked on 2025-06-16, then 2025-06-11 keeps L4, 2025-06-12 loses it but not 甲, and the public page and downloads show it on the next request', async () => {
    t.setNow('2025-06-16T02:00:00Z');
    const journal = await get(t, t.operatorKey, '/api/v1/journal?institution=STLOC&kind=disbursement');
    const entry = journal.body.items.find((e: { effectiveOn: string }) => e.effectiveOn === '2025-06-10');
    await reverseEntry(t, entry.id, { reason: 'disbursed against the wrong loan', on: '2025-06-12' });

    expect((await stats('2025-06-11')).total).toMatchObject({ provided: '2580000.00', loans: 4, enterprises: 2, projects: 4 });
    const after = await stats('2025-06-12');
    expect(after.total).toMatchObject({
      provided: '2100000.00',
      outstanding: '1300000.00',
      loans: 3,
      loansPrincipal: '3500000.00',
      enterprises: 2, // 甲 still borrows from NAT
      projects: 3,
      annualReductionTonnes: '1362.50',
    });
    expect(after.byCategory).toEqual([
      expect.objectContaining({ category: 'local_legal_person', provided: '300000.00', loans: 1, enterprises: 1, projects: 1 }),
      expect.objectContaining({ category: 'national', loans: 2, enterprises: 1 }),
    ]);
    expect(after.byProvince.find((p: { province: string }) => p.province === '河北省')).toMatchObject({
      loans: 1,
      loansPrincipal: '2000000.00',
      enterprises: 1,
      projects: 1,
    });
    // the same dates read together (a series) say the same
    const series = (await get(t, t.operatorKey, '/api/v1/facility/statistics?on=2025-06-12&series=quarters')).body;
    expect(series.total).toMatchObject({ loans: 3, enterprises: 2 });
    expect(series.series.at(-1)).toMatchObject({ on: '2025-03-31', total: expect.objectContaining({ loans: 3, enterprises: 2 }) });

    expect(JSON.parse((await request(t.app).get('/statistics.json?on=2025-06-12')).text).total).toMatchObject({ loans: 3, enterprises: 2 });
    const csv = (await request(t.app).get('/statistics.csv?on=2025-06-12')).text.replace(/^\ufeff/, '').split('\r\n');
    expect(csv[1]).toBe('total,,2100000.00,1300000.00,3,3500000.00,2,3,1362.50');
    expect((await request(t.app).get('/api/v1/public/facility/statistics?on=2025-06-11')).body.total).toMatchObject({ loans: 4 });
  });
});
