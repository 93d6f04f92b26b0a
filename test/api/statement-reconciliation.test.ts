/**
 * Reconciliation at full precision, through the API: a bank's published statement is compared with the
 * exact figures of its loan-level records at the decimals the bank published (not with the figures a
 * compilation prints), the difference is exact, and the statement is accepted as the bank printed it
 * (thousands separators, integers, one to four decimals, a space before "%"), its text kept.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { uniqueCode } from '../factories/disclosures.js';
import { loanRequest } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let bank: { id: string; code: string; apiKey: string };

const post = (key: string, path: string, body: unknown) =>
  request(t.app)
    .post(path)
    .set(bearer(key))
    .send(body as object);
const get = (key: string, path: string) => request(t.app).get(path).set(bearer(key));

const project = (ref: string, totalInvestment: string, annualReductionTonnes: string) => ({
  ref,
  name: `${ref} 风电项目`,
  subArea: 'CE.WIND',
  totalInvestment,
  annualReductionTonnes,
  evidence: {
    title: '可行性研究报告',
    sha256: ref
      .toLowerCase()
      .padEnd(64, '0')
      .replace(/[^0-9a-f]/g, 'a'),
  },
});
// P1: 1,000,000,000.00 invested, 100,000 t a year; P2: 300,000,000.00 invested, 10,000 t a year
const P1 = project('RP1', '1000000000.00', '100000.00');
const P2 = project('RP2', '300000000.00', '10000.00');
const loan = (loanRef: string, p: typeof P1, principal: string, annualRatePercent: string, disbursedOn: string) =>
  loanRequest({ loanRef, project: p, principal, annualRatePercent, disbursedOn, maturesOn: '2025-06-30' });

// By hand.
// 2022Q3: LA 62,565,500.00 at 2.30 % and LB 37,434,500.00 at 2.50 % on P1: 10,000.00 万元;
//   rate (2.30 × 62,565,500 + 2.50 × 37,434,500) ÷ 100,000,000 = 237,486,900 ÷ 100,000,000 = 2.374869 % exactly;
//   reduction 100,000 t × 100,000,000 ÷ 1,000,000,000 = 10,000 t exactly.
// 2022Q4: LC 77,500,000.00 at 2.30 % and LD 22,500,000.00 at 2.50 % on P2: 10,000.00 万元;
//   rate (178,250,000 + 56,250,000) ÷ 100,000,000 = 2.345 % exactly (printed with two decimals: 2.35);
//   reduction 10,000 t × 100,000,000 ÷ 300,000,000 = 3,333.333… t (10,000/3).
// 2022 to date at Q4: 20,000.00 万元; rate (237,486,900 + 234,500,000) ÷ 200,000,000 = 2.3599345 %;
//   reduction 10,000 + 10,000/3 = 40,000/3 = 13,333.333… t.
const LOANS = [
  loan('LA', P1, '62565500.00', '2.30', '2022-09-01'),
  loan('LB', P1, '37434500.00', '2.50', '2022-09-02'),
  loan('LC', P2, '77500000.00', '2.30', '2022-11-01'),
  loan('LD', P2, '22500000.00', '2.50', '2022-11-02'),
];
const bond = (ref: string, value: string) => ({ type: 'central_government_bond', ref, faceValue: value, marketValue: value });
const supported = (ref: string, loanRefs: string[], dates: [string, string, string]) => [
  { kind: 'application', ref, on: dates[0], operation: '2022Q4', loanRefs, collateral: [bond(`${ref}-CGB`, '70000000.00')] },
  { kind: 'approval', ref: `${ref}-OK`, on: dates[1], application: ref, reason: 'meets the rules' },
  { kind: 'disbursement', ref: `${ref}-T`, on: dates[2], application: ref },
];
const RECORDS = [
  { kind: 'operation', quarter: '2022Q4', volume: '100000000000.00', on: '2022-10-08' },
  ...supported('RA1', ['LA', 'LB'], ['2022-10-15', '2022-10-20', '2022-10-25']),
  ...supported('RA2', ['LC', 'LD'], ['2022-12-01', '2022-12-05', '2022-12-08']),
];

type Figures = {
  projects: number | string;
  loanAmountWanYuan: string;
  weightedAverageRatePercent: string | null;
  annualReductionTonnes: string;
};
const f = (projects: number | string, amount: string, rate: string | null, tonnes: string): Figures => ({
  projects,
  loanAmountWanYuan: amount,
  weightedAverageRatePercent: rate,
  annualReductionTonnes: tonnes,
});
const source = (q: string) => ({ url: `https://example.com/rec/${q}.html` });

type Row = { scope: string; horizon: string; figure: string };
const rowOf = (body: { rows: Row[] }, horizon: string, figure: string) =>
  body.rows.find((r) => r.scope === 'total' && r.horizon === horizon && r.figure === figure);

beforeAll(async () => {
  t = await createTestApp({ now: '2026-11-30T02:00:00Z' });
  bank = await createInstitution(t, {
    code: uniqueCode('REC'),
    nameZh: '对账银行',
    nameEn: 'Reconciling Bank',
    eligibleFrom: '2021-07-01',
  });
  const imported = await post(t.operatorKey, '/api/v1/imports', { institution: bank.code, loans: LOANS, records: RECORDS });
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('reconciliation at full precision', () => {
  it('when the published rate is 2.3651 % and the records give 2.374869 %, then it does not agree and the difference is 0.009769 exactly', async () => {
    const res = await post(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q3/published-statement`, {
      publishedOn: '2022-10-28',
      source: source('2022q3'),
      horizons: {
        quarter: f(1, '10000.0000', '2.3651', '10000'),
        yearToDate: f(1, '10,000.00', '2.3749', '10,000.0'),
        sinceInception: f(1, '10000', '2.37', '10000.00'),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rec = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q3/reconciliation`);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    // printed with two decimals both would read 2.37; at the four decimals published the records give 2.3749
    expect(rowOf(rec.body, 'quarter', 'weightedAverageRatePercent')).toEqual({
      scope: 'total',
      horizon: 'quarter',
      figure: 'weightedAverageRatePercent',
      imported: '2.3651',
      compiled: '2.3749',
      difference: '0.009769',
      agrees: false,
    });
    expect(rowOf(rec.body, 'yearToDate', 'weightedAverageRatePercent')).toMatchObject({
      compiled: '2.3749',
      agrees: true,
      difference: '-0.000031',
    });
    expect(rowOf(rec.body, 'sinceInception', 'weightedAverageRatePercent')).toMatchObject({
      compiled: '2.37',
      difference: '0.004869',
      agrees: true,
    });
    // amounts and reductions are exact integers of the records: equal at any published precision
    expect(rowOf(rec.body, 'quarter', 'loanAmountWanYuan')).toMatchObject({
      imported: '10000.0000',
      compiled: '10000.0000',
      difference: '0.0000',
      agrees: true,
    });
    expect(rowOf(rec.body, 'yearToDate', 'loanAmountWanYuan')).toMatchObject({ imported: '10,000.00', difference: '0.00', agrees: true });
    expect(rowOf(rec.body, 'yearToDate', 'annualReductionTonnes')).toMatchObject({
      imported: '10,000.0',
      compiled: '10000.00',
      agrees: true,
    });
    expect(rowOf(rec.body, 'quarter', 'annualReductionTonnes')).toMatchObject({ imported: '10000', difference: '0.00', agrees: true });
    expect(rec.body).toMatchObject({ countedLoans: 2, agrees: false, differences: 1 });
  });

  it('when a figure agrees only at full precision, then it agrees; a difference whose decimals never end comes with its fraction', async () => {
    const res = await post(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q4/published-statement`, {
      publishedOn: '2023-01-30',
      source: source('2022q4'),
      horizons: {
        // the rate as Bank of Shangrao prints it (one decimal); the reduction as BOC prints it (separators)
        quarter: f('1', '10,000', '2.3', '3,333.33'),
        yearToDate: f(2, '20,000.00', '2.36 %', '13,333.3333'),
        sinceInception: f(2, '20000.00', '2.3599%', '13333'),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rec = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q4/reconciliation`);
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    // 2.345 % rounded half up to one decimal is 2.3 (printed with two first, 2.35, it would have read 2.4)
    expect(rowOf(rec.body, 'quarter', 'weightedAverageRatePercent')).toEqual({
      scope: 'total',
      horizon: 'quarter',
      figure: 'weightedAverageRatePercent',
      imported: '2.3',
      compiled: '2.35',
      difference: '0.045',
      agrees: true,
    });
    // 10,000/3 − 3,333.33 = 1/300
    expect(rowOf(rec.body, 'quarter', 'annualReductionTonnes')).toEqual({
      scope: 'total',
      horizon: 'quarter',
      figure: 'annualReductionTonnes',
      imported: '3,333.33',
      compiled: '3333.33',
      difference: '0.003333333333',
      differenceFraction: '1/300',
      agrees: true,
    });
    // 2.3599345 − 2.36 = −0.0000655, kept with the space the bank printed before "%"
    expect(rowOf(rec.body, 'yearToDate', 'weightedAverageRatePercent')).toMatchObject({
      imported: '2.36 %',
      compiled: '2.36',
      difference: '-0.0000655',
      agrees: true,
    });
    expect(rowOf(rec.body, 'sinceInception', 'weightedAverageRatePercent')).toMatchObject({
      imported: '2.3599%',
      compiled: '2.3599',
      agrees: true,
    });
    // 40,000/3 − 13,333.3333 = 1/30,000; and 13,333 at no decimals agrees
    expect(rowOf(rec.body, 'yearToDate', 'annualReductionTonnes')).toMatchObject({
      compiled: '13333.3333',
      differenceFraction: '1/30000',
      agrees: true,
    });
    expect(rowOf(rec.body, 'sinceInception', 'annualReductionTonnes')).toMatchObject({
      compiled: '13333.33',
      differenceFraction: '1/3',
      agrees: true,
    });
    expect(rec.body).toMatchObject({ countedLoans: 4, agrees: true, differences: 0 });
  });

  it('when the statement is printed with separators and a "%", then it is kept and shown as the bank printed it', async () => {
    const res = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q4`);
    expect(res.status).toBe(200);
    expect(res.body.horizons.quarter).toMatchObject({ projects: 1, loanAmountWanYuan: '10,000', annualReductionTonnes: '3,333.33' });
    expect(res.body.horizons.yearToDate).toMatchObject({
      loanAmountWanYuan: '20,000.00',
      weightedAverageRatePercent: '2.36',
      asPublished: { weightedAverageRatePercent: '2.36 %' },
    });
    expect(res.body.statement.zh).toContain(
      '累计向2个项目发放碳减排贷款20,000.00万元，贷款加权平均利率2.36%，带动的年度碳减排量为13,333.3333吨',
    );
    const page = await request(t.app).get(`/disclosures/${bank.code}/2022Q4?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('3,333.33');
  });

  it('when a published figure is not a figure as banks print them, then 422 names the field and the rule and nothing is stored', async () => {
    const bad = async (horizons: Record<string, Figures>, path: string, code: string) => {
      const res = await post(t.operatorKey, `/api/v1/disclosures/${bank.code}/2023Q1/published-statement`, {
        publishedOn: '2023-04-28',
        source: source('2023q1'),
        horizons,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors).toEqual([{ path, code, message: expect.any(String) }]);
    };
    const ok = f(0, '0', null, '0');
    await bad(
      { quarter: f(1, '1,32,4620.45', '2.30', '1.00'), yearToDate: ok, sinceInception: ok },
      'horizons.quarter.loanAmountWanYuan',
      'invalid_amount',
    );
    await bad(
      { quarter: ok, yearToDate: f(1, '1.00', '2.36512', '1.00'), sinceInception: ok },
      'horizons.yearToDate.weightedAverageRatePercent',
      'invalid_rate',
    );
    await bad(
      { quarter: ok, yearToDate: ok, sinceInception: f(1, '1.00', '2.30', '1.00 t') },
      'horizons.sinceInception.annualReductionTonnes',
      'invalid_tonnes',
    );
    await bad(
      { quarter: f('1,08', '1.00', '2.30', '1.00'), yearToDate: ok, sinceInception: ok },
      'horizons.quarter.projects',
      'invalid_count',
    );
    const versions = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2023Q1/versions`);
    expect(versions.body.items ?? []).toEqual([]);
  });
});
