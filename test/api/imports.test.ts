/**
 * Historical imports through the API: a bank's history from 2021Q3 to 2026Q3 imported in one document,
 * every quarter compiled to the figures computed by hand; a document with one bad record writes
 * nothing and names the record and the rule; the same document twice books once; a published
 * statement is stored as an imported published version and reconciled figure by figure.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution, setMigrationMode } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, uniqueCode } from '../factories/disclosures.js';
import { loanRequest } from '../factories/loans.js';
import { signInToPages } from '../factories/sessions.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };

const post = (key: string, path: string, body: unknown) =>
  request(t.app)
    .post(path)
    .set(bearer(key))
    .send(body as object);
const get = (key: string, path: string) => request(t.app).get(path).set(bearer(key));

const project = (ref: string, subArea: string, totalInvestment: string, annualReductionTonnes: string) => ({
  ref,
  name: `${ref} 项目`,
  subArea,
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
const P1 = project('P1', 'CE.WIND', '100000000.00', '10000.00');
const P2 = project('P2', 'CE.SOLAR', '50000000.00', '4000.00');
const P3 = project('P3', 'EE.INDUSTRIAL', '80000000.00', '8000.00');
const P4 = project('P4', 'CE.STORAGE', '60000000.00', '3000.00');

const loan = (loanRef: string, p: typeof P1, principal: string, annualRatePercent: string, disbursedOn: string) =>
  loanRequest({
    loanRef,
    project: p,
    principal,
    annualRatePercent,
    disbursedOn,
    maturesOn: `${Number(disbursedOn.slice(0, 4)) + 10}${disbursedOn.slice(4)}`,
  });

/** A few loans a year, 2021Q3 to 2026Q3 (figures by hand below). */
const LOANS = [
  loan('L1', P1, '20000000.00', '4.00', '2021-08-01'),
  loan('L2', P2, '10000000.00', '3.50', '2021-11-20'),
  loan('L3', P1, '30000000.00', '4.20', '2022-03-15'),
  loan('L4', P3, '40000000.00', '3.80', '2022-09-28'),
  loan('L5', P2, '20000000.00', '3.60', '2023-05-10'),
  loan('L9', P4, '10000000.00', '3.40', '2023-11-01'),
  loan('L6', P3, '20000000.00', '3.40', '2024-02-01'),
  loan('L7', P1, '10000000.00', '3.00', '2025-07-15'),
  loan('L8', P4, '30000000.00', '2.80', '2026-08-20'),
];

const bond = (ref: string, value: string) => ({ type: 'central_government_bond', ref, faceValue: value, marketValue: value });
const op = (quarter: string, on: string) => ({ kind: 'operation', quarter, volume: '100000000000.00', on });
const supported = (ref: string, quarter: string, loanRefs: string[], dates: [string, string, string], collateral: string) => [
  { kind: 'application', ref, on: dates[0], operation: quarter, loanRefs, collateral: [bond(`${ref}-CGB`, collateral)] },
  { kind: 'approval', ref: `${ref}-OK`, on: dates[1], application: ref, reason: 'meets the rules' },
  { kind: 'disbursement', ref: `${ref}-T`, on: dates[2], application: ref },
];

type Rec = { kind: string; on: string; ref?: string; [field: string]: unknown };

/** The records, in no particular order (the import books them by date). */
const RECORDS: Rec[] = [
  op('2021Q4', '2021-11-08'),
  ...supported('A1', '2021Q4', ['L1', 'L2'], ['2021-12-01', '2021-12-10', '2021-12-15'], '20000000.00'),
  { kind: 'loan_repayment', ref: 'L2-R1', on: '2022-06-30', loanRef: 'L2', amount: '2000000.00' },
  op('2022Q1', '2022-01-04'),
  ...supported('A2', '2022Q1', ['L3'], ['2022-03-25', '2022-03-28', '2022-03-30'], '20000000.00'),
  op('2022Q4', '2022-10-08'),
  ...supported('A3', '2022Q4', ['L4'], ['2022-10-15', '2022-10-20', '2022-10-25'], '30000000.00'),
  { kind: 'rollover', ref: 'A1-T2', on: '2022-12-15', tranche: 'A1-T' },
  { kind: 'repayment', ref: 'A3-R1', on: '2023-03-01', tranche: 'A3-T', principal: '4000000.00' },
  op('2023Q2', '2023-04-03'),
  ...supported('A4', '2023Q2', ['L5'], ['2023-06-01', '2023-06-05', '2023-06-08'], '15000000.00'),
  { kind: 'rollover', ref: 'A1-T3', on: '2023-12-15', tranche: 'A1-T2' },
  op('2023Q4', '2023-10-09'),
  { kind: 'application', ref: 'A5', on: '2023-11-15', operation: '2023Q4', loanRefs: ['L9'], collateral: [bond('A5-CGB', '6000000.00')] },
  { kind: 'rejection', ref: 'A5-NO', on: '2023-11-20', application: 'A5', reason: 'the project evidence is incomplete' },
  op('2024Q1', '2024-01-02'),
  ...supported('A6', '2024Q1', ['L6'], ['2024-03-01', '2024-03-05', '2024-03-08'], '15000000.00'),
  { kind: 'repayment', ref: 'A1-R', on: '2024-12-15', tranche: 'A1-T3', principal: '16800000.00' },
  op('2025Q3', '2025-07-01'),
  ...supported('A7', '2025Q3', ['L7'], ['2025-08-01', '2025-08-05', '2025-08-08'], '10000000.00'),
  op('2026Q3', '2026-07-01'),
  ...supported('A8', '2026Q3', ['L8'], ['2026-09-01', '2026-09-04', '2026-09-08'], '20000000.00'),
];

const DOCUMENT = () => ({ institution: bank.code, loans: LOANS, records: [...RECORDS].reverse() });

beforeAll(async () => {
  t = await createTestApp({ now: '2026-11-30T02:00:00Z' });
  bank = await createInstitution(t, { code: uniqueCode('HIST'), nameZh: '历史银行', nameEn: 'History Bank', eligibleFrom: '2021-07-01' });
});
afterAll(async () => {
  if (jobs) await stopJobs(jobs);
  await t.close();
});

describe('a bank imports its history', () => {
  it('when a document with one bad record is imported, then nothing is written and the record and rule are named', async () => {
    const records = RECORDS.map((r) => (r.kind === 'application' && r.ref === 'A2' ? { ...r, loanRefs: ['L3', 'L404'] } : r));
    const res = await post(t.operatorKey, '/api/v1/imports', { institution: bank.code, loans: LOANS, records });
    expect(res.status).toBe(422);
    const a2 = records.findIndex((r) => r.kind === 'application' && r.ref === 'A2');
    expect(res.body.errors).toEqual([{ path: `records.${a2}.loanRefs.1`, code: 'loan_not_found', message: expect.any(String) }]);
    const loans = await get(t.operatorKey, `/api/v1/loans?institution=${bank.code}`);
    expect(loans.body.items).toEqual([]);
    expect((await get(t.operatorKey, '/api/v1/operations')).body.items).toEqual([]);
  });

  it('when a record breaks a rule only its booking finds, then nothing is written and the record and rule are named', async () => {
    const records = RECORDS.map((r) => (r.kind === 'approval' && r.ref === 'A3-OK' ? { ...r, amount: '99999999.00' } : r));
    const res = await post(t.operatorKey, '/api/v1/imports', { institution: bank.code, loans: LOANS, records });
    expect(res.status).toBe(422);
    const i = records.findIndex((r) => r.ref === 'A3-OK');
    expect(res.body.errors).toEqual([{ path: `records.${i}.amount`, code: 'approval_exceeds_request', message: expect.any(String) }]);
    expect((await get(t.operatorKey, `/api/v1/loans?institution=${bank.code}`)).body.items).toEqual([]);
    expect((await get(t.operatorKey, '/api/v1/operations')).body.items).toEqual([]);
  });

  let first: request.Response;
  it('when the history 2021Q3–2026Q3 is imported, then every record is booked on its own date', async () => {
    first = await post(t.operatorKey, '/api/v1/imports', DOCUMENT());
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.counts.loans).toEqual({ created: 9, unchanged: 0 });
    expect(first.body.counts.records).toMatchObject({
      operation: { created: 8, unchanged: 0 },
      application: { created: 8, unchanged: 0 },
      approval: { created: 7, unchanged: 0 },
      rejection: { created: 1, unchanged: 0 },
      disbursement: { created: 7, unchanged: 0 },
      rollover: { created: 2, unchanged: 0 },
      repayment: { created: 2, unchanged: 0 },
      loan_repayment: { created: 1, unchanged: 0 },
    });
    const apps = await get(t.operatorKey, `/api/v1/applications?institution=${bank.code}&limit=100`);
    expect(apps.body.items.map((a: { appliedOn: string; status: string }) => [a.appliedOn, a.status])).toContainEqual([
      '2021-12-01',
      'disbursed',
    ]);
    const facilities = await get(t.operatorKey, `/api/v1/facilities?limit=100`);
    const byStart = Object.fromEntries(
      facilities.body.items.map((f: { startOn: string; principal: string; status: string; rolloverCount: number }) => [f.startOn, f]),
    );
    // A1: 60 % of 30,000,000.00; rolled over on 2022-12-15 to 60 % of what is outstanding then (L2 repaid 2,000,000.00)
    expect(byStart['2021-12-15']).toMatchObject({ principal: '18000000.00', status: 'rolled_over', maturesOn: '2022-12-15' });
    expect(byStart['2022-12-15']).toMatchObject({ principal: '16800000.00', status: 'rolled_over', rolloverCount: 1 });
    expect(byStart['2023-12-15']).toMatchObject({ principal: '16800000.00', status: 'repaid', rolloverCount: 2 });
    // A8: 60 % of 30,000,000.00 at 1.25 % from 2026-09-08, its interest booked up to today (83 days, actual/360)
    expect(byStart['2026-09-08']).toMatchObject({
      principal: '18000000.00',
      ratePercent: '1.25',
      accruedThrough: '2026-11-30',
      interestAccrued: '51875.00',
    });
  });

  it('when the history shows, then each booking is back-dated by the import agents with the import named, and the journal is intact', async () => {
    const a1 = first.body.records.find((r: { ref: string }) => r.ref === 'A1');
    const history = await get(t.operatorKey, `/api/v1/applications/${a1.id}/history`);
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((b: { command: string; effectiveOn: string; backdated: boolean }) => [b.command, b.effectiveOn, b.backdated]),
    ).toEqual([
      ['apply', '2021-12-01', true],
      ['approve', '2021-12-10', true],
      ['disburse', '2021-12-15', true],
    ]);
    expect(history.body.items[0]).toMatchObject({ bookedBy: '历史导入 history import', reason: expect.stringContaining(first.body.id) });
    expect(history.body.items[1]).toMatchObject({ bookedBy: '历史导入：决定 history import: decisions', reason: 'meets the rules' });
    expect(history.body.items[2]).toMatchObject({ bookedBy: '历史导入：记账 history import: bookings' });
    const verify = await get(t.operatorKey, '/api/v1/journal/verify');
    expect(verify.body.intact).toBe(true);
  });

  it('when the same document is imported again, then the first answer comes back and nothing is booked twice', async () => {
    const again = await post(t.operatorKey, '/api/v1/imports', DOCUMENT());
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const shown = await get(t.operatorKey, `/api/v1/imports/${first.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: first.body.id, status: 'completed', documentSha256: first.body.documentSha256 });
    // another document with the same records and one more: the known ones are unchanged, the new one booked
    const more = await post(t.operatorKey, '/api/v1/imports', {
      institution: bank.code,
      records: [...RECORDS, { kind: 'loan_repayment', ref: 'L1-R1', on: '2026-10-01', loanRef: 'L1', amount: '1000000.00' }],
    });
    expect(more.status, JSON.stringify(more.body)).toBe(201);
    expect(more.body.counts.records.operation).toEqual({ created: 0, unchanged: 8 });
    expect(more.body.counts.records.loan_repayment).toEqual({ created: 1, unchanged: 1 });
    const apps = await get(t.operatorKey, `/api/v1/applications?institution=${bank.code}&limit=100`);
    expect(apps.body.items).toHaveLength(8);
  });
});

type Figures = { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };
const f = (projects: number, amount: string, rate: string | null, tonnes: string): Figures => ({
  projects,
  loanAmountWanYuan: amount,
  weightedAverageRatePercent: rate,
  annualReductionTonnes: tonnes,
});
const NONE = f(0, '0.00', null, '0.00');

// By hand. Reductions per loan: L1 10000×20/100 = 2000; L2 4000×10/50 = 800; L3 10000×30/100 = 3000;
// L4 8000×40/80 = 4000; L5 4000×20/50 = 1600; L6 8000×20/80 = 2000; L7 10000×10/100 = 1000;
// L8 3000×30/60 = 1500; L9's application was rejected: never counted.
// Σ rate × principal (万元 × %): L1 80, L2 35, L3 126, L4 152, L5 72, L6 68, L7 30, L8 84.
const SI_2021Q3 = f(1, '2000.00', '4.00', '2000.00');
const SI_2021Q4 = f(2, '3000.00', '3.83', '2800.00'); // 115/30 = 3.8333
const SI_2022Q1 = f(2, '6000.00', '4.02', '5800.00'); // 241/60 = 4.0166
const SI_2022Q3 = f(3, '10000.00', '3.93', '9800.00'); // 393/100
const SI_2023Q2 = f(3, '12000.00', '3.88', '11400.00'); // 465/120 = 3.875
const SI_2024Q1 = f(3, '14000.00', '3.81', '13400.00'); // 533/140 = 3.8071
const SI_2025Q3 = f(3, '15000.00', '3.75', '14400.00'); // 563/150 = 3.7533
const SI_2026Q3 = f(4, '18000.00', '3.59', '15900.00'); // 647/180 = 3.5944
const L3 = f(1, '3000.00', '4.20', '3000.00');
const L5 = f(1, '2000.00', '3.60', '1600.00');
const L6 = f(1, '2000.00', '3.40', '2000.00');
const L7 = f(1, '1000.00', '3.00', '1000.00');
const L8 = f(1, '3000.00', '2.80', '1500.00');
const YTD_2022Q3 = f(2, '7000.00', '3.97', '7000.00'); // 278/70 = 3.9714

/** quarter → [quarter, year to date, since first support] */
const EXPECTED: Record<string, [Figures, Figures, Figures]> = {
  '2021Q3': [SI_2021Q3, SI_2021Q3, SI_2021Q3],
  '2021Q4': [f(1, '1000.00', '3.50', '800.00'), SI_2021Q4, SI_2021Q4],
  '2022Q1': [L3, L3, SI_2022Q1],
  '2022Q2': [NONE, L3, SI_2022Q1],
  '2022Q3': [f(1, '4000.00', '3.80', '4000.00'), YTD_2022Q3, SI_2022Q3],
  '2022Q4': [NONE, YTD_2022Q3, SI_2022Q3],
  '2023Q1': [NONE, NONE, SI_2022Q3],
  '2023Q2': [L5, L5, SI_2023Q2],
  '2023Q3': [NONE, L5, SI_2023Q2],
  '2023Q4': [NONE, L5, SI_2023Q2],
  '2024Q1': [L6, L6, SI_2024Q1],
  '2024Q2': [NONE, L6, SI_2024Q1],
  '2024Q3': [NONE, L6, SI_2024Q1],
  '2024Q4': [NONE, L6, SI_2024Q1],
  '2025Q1': [NONE, NONE, SI_2024Q1],
  '2025Q2': [NONE, NONE, SI_2024Q1],
  '2025Q3': [L7, L7, SI_2025Q3],
  '2025Q4': [NONE, L7, SI_2025Q3],
  '2026Q1': [NONE, NONE, SI_2025Q3],
  '2026Q2': [NONE, NONE, SI_2025Q3],
  '2026Q3': [L8, L8, SI_2026Q3],
};

describe("a bank's own import", () => {
  it("when a bank imports its own records, then it needs migration mode, and the central bank's acts stay an operator's", async () => {
    const own = await createInstitution(t, { code: uniqueCode('SELF'), eligibleFrom: '2021-07-01' });
    const doc = {
      institution: own.code,
      loans: [loan('S1', project('PS1', 'CE.SOLAR', '50000000.00', '4000.00'), '10000000.00', '3.60', '2023-05-10')],
      records: [
        {
          kind: 'application',
          ref: 'S-A1',
          on: '2023-06-01',
          operation: '2023Q2',
          loanRefs: ['S1'],
          collateral: [bond('S-CGB', '7000000.00')],
        },
      ],
    };
    const refused = await post(own.apiKey, '/api/v1/imports', doc);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await post(own.apiKey, '/api/v1/imports', { ...doc, institution: bank.code })).status).toBe(404);
    await setMigrationMode(t, own.code, true, 'moving its 2021–2026 records onto the system');
    const decided = await post(own.apiKey, '/api/v1/imports', {
      ...doc,
      records: [...doc.records, { kind: 'approval', ref: 'S-OK', on: '2023-06-05', application: 'S-A1', reason: 'self-approved' }],
    });
    expect(decided.status).toBe(422);
    expect(decided.body.errors).toEqual([{ path: 'records.1.kind', code: 'record_needs_operator', message: expect.any(String) }]);
    const ok = await post(own.apiKey, '/api/v1/imports', doc);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.counts.records.application).toEqual({ created: 1, unchanged: 0 });
    const apps = await get(own.apiKey, '/api/v1/applications');
    expect(apps.body.items.map((a: { appliedOn: string; status: string }) => [a.appliedOn, a.status])).toEqual([
      ['2023-06-01', 'submitted'],
    ]);
    expect((await get(own.apiKey, `/api/v1/imports/${ok.body.id}`)).status).toBe(200);
    expect((await get(bank.apiKey, `/api/v1/imports/${ok.body.id}`)).status).toBe(404);
  });
});

describe('the imported history, compiled', () => {
  it('when every quarter from 2021Q3 to 2026Q3 is compiled, then each has the figures computed by hand', async () => {
    jobs = await startJobs(t);
    for (const quarter of Object.keys(EXPECTED)) {
      const res = await post(t.operatorKey, '/api/v1/disclosures/compile', { quarter });
      expect(res.status).toBe(202);
    }
    for (const [quarter, [q, ytd, si]] of Object.entries(EXPECTED)) {
      const d = await eventually(async () => {
        const res = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/${quarter}`);
        return res.status === 200 ? res.body : undefined;
      }, `${quarter} compiled`);
      expect([quarter, d.horizons]).toMatchObject([quarter, { quarter: q, yearToDate: ytd, sinceInception: si }]);
    }
  });
});

describe("the bank's published statements", () => {
  // as the bank published 2022Q3: integer amounts, a one-decimal rate, and one figure that differs (YTD projects)
  const statement = {
    publishedOn: '2022-11-28',
    source: { url: 'https://example.com/hist/2022q3.html', title: '历史银行碳减排贷款信息披露（2022年第三季度）' },
    horizons: {
      quarter: f(1, '4000', '3.8', '4000.00'),
      yearToDate: f(3, '7000.00', '3.97', '7000'),
      sinceInception: f(3, '10000.00', '3.93', '9800.00'),
    },
    byArea: [
      { area: 'clean_energy', quarter: NONE, yearToDate: f(1, '3000.00', '4.20', '3000.00'), sinceInception: f(2, '6000', '4.02', '5800') },
    ],
  };
  const path = () => `/api/v1/disclosures/${bank.code}/2022Q3/published-statement`;

  it('when a published statement is imported, then it is the published version of the quarter, marked imported with its source', async () => {
    const res = await post(t.operatorKey, path(), statement);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // version 1 is the draft compiled above; the bank's published statement follows it
    expect(res.body).toMatchObject({
      version: 2,
      status: 'published',
      publishedOn: '2022-11-28',
      previousVersion: 1,
      restatesVersion: null,
      imported: { publishedOn: '2022-11-28', source: statement.source },
      horizons: statement.horizons,
    });
    expect(res.body.statement.zh).toContain('合计向1个项目发放碳减排贷款4000万元，贷款加权平均利率3.8%');
    const versions = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q3/versions`);
    expect(versions.body.items.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    const again = await post(t.operatorKey, path(), statement);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
  });

  it('when another statement of a published quarter is sent, then it is refused unless it is a restatement the bank published', async () => {
    const other = { ...statement, horizons: { ...statement.horizons, quarter: f(1, '4000.00', '3.80', '4000.00') } };
    const refused = await post(t.operatorKey, path(), other);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'statement_conflict', currentVersion: 2 });
    const restated = await post(t.operatorKey, path(), { ...other, publishedOn: '2023-01-10', restatement: true });
    expect(restated.status).toBe(201);
    expect(restated.body).toMatchObject({ version: 3, restatesVersion: 2, imported: { publishedOn: '2023-01-10' } });
  });

  it('when the reconciliation is asked for, then each figure shows published, compiled, the difference and whether they agree', async () => {
    const res = await get(t.operatorKey, `/api/v1/disclosures/${bank.code}/2022Q3/reconciliation`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ institution: bank.code, quarter: '2022Q3', imported: { version: 3 }, countedLoans: 4 });
    const row = (scope: string, horizon: string, figure: string) =>
      res.body.rows.find(
        (r: { scope: string; horizon: string; figure: string }) => r.scope === scope && r.horizon === horizon && r.figure === figure,
      );
    expect(row('total', 'quarter', 'loanAmountWanYuan')).toEqual({
      scope: 'total',
      horizon: 'quarter',
      figure: 'loanAmountWanYuan',
      imported: '4000.00',
      compiled: '4000.00',
      difference: '0.00',
      agrees: true,
    });
    expect(row('total', 'yearToDate', 'projects')).toMatchObject({ imported: '3', compiled: '2', difference: '-1', agrees: false });
    expect(row('total', 'yearToDate', 'annualReductionTonnes')).toMatchObject({
      imported: '7000',
      compiled: '7000.00',
      difference: '0.00',
      agrees: true,
    });
    expect(row('clean_energy', 'sinceInception', 'weightedAverageRatePercent')).toMatchObject({
      imported: '4.02',
      compiled: '4.02',
      agrees: true,
    });
    // energy saving appears in the compiled figures only: the bank published no row for it
    expect(row('energy_saving_environmental_protection', 'sinceInception', 'loanAmountWanYuan')).toMatchObject({
      imported: '0',
      compiled: '4000.00',
      agrees: false,
    });
    expect(res.body.agrees).toBe(false);
    expect(res.body.rows.filter((r: { agrees: boolean }) => !r.agrees)).toHaveLength(res.body.differences);
    // a bank sees its own, not another's
    expect((await get(bank.apiKey, `/api/v1/disclosures/${bank.code}/2022Q3/reconciliation`)).status).toBe(200);
    const other = await createInstitution(t, { code: uniqueCode('OTH') });
    expect((await get(other.apiKey, `/api/v1/disclosures/${bank.code}/2022Q3/reconciliation`)).status).toBe(404);
  });

  it('when the public page of an imported quarter is opened, then it says imported and names the source', async () => {
    const res = await request(t.app).get(`/disclosures/${bank.code}/2022Q3?lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('badge imported');
    expect(res.text).toContain('href="https://example.com/hist/2022q3.html"');
    expect(res.text).toContain('2023-01-10');
    const json = await request(t.app).get(`/disclosures/${bank.code}/2022Q3.json`);
    expect(json.body.imported).toMatchObject({ publishedOn: '2023-01-10', source: { url: statement.source.url } });
  });

  it('when the operator opens the reconciliation page, then the quarter has its table figure by figure', async () => {
    const cookies = await signInToPages(t, t.operatorKey);
    const page = await request(t.app).get(`/operator/reconciliation?bank=${bank.code}&lang=en`).set('Cookie', cookies.join('; '));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h2 id="rec-2022Q3">2022Q3');
    expect(page.text).toContain('Compiled from loans');
    expect(page.text).toMatch(/<td class="num differs"[^>]*>-1<\/td>/);
  });
});
