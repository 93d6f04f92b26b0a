/**
 * The smaller rules that drifted (issue 18 item 5), each through the real API with figures computed by
 * hand: the LPR tenor counted from the loan's dates; the facility continuous across 2023-01-01…28; a
 * tranche's status derived from its dates whenever it is read; the pool-shortfall list filtered by
 * institution; a shortfall raised on its own effective date; an approval's answer naming the loans it
 * covers and those it left out.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest } from '../factories/loans.js';
import { signInToPages } from '../factories/sessions.js';
import { apply, bond, createLoan, get, openOperation, post } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
const TODAY = '2026-12-01';

beforeAll(async () => {
  t = await createTestApp({ now: `${TODAY}T04:00:00Z` });
  for (const [quarter, on] of [
    ['2023Q1', '2023-01-03'],
    ['2023Q2', '2023-04-03'],
    ['2024Q1', '2024-01-02'],
    ['2025Q4', '2025-10-09'],
    ['2026Q4', '2026-10-08'],
  ])
    await openOperation(t, quarter, '100000000000.00', { on, reason: 'the quarter opened on its first working day' });
});
afterAll(async () => t.close());

const at = (date: string) => t.setNow(`${date}T04:00:00Z`);

/** An operator's import of a bank's history: its loans and records, each with its own date. */
async function importHistory(code: string, loans: ReturnType<typeof loanRequest>[], records: Record<string, unknown>[]) {
  const res = await post(t, t.operatorKey, '/api/v1/imports', { institution: code, loans, records });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return new Map<string, string>(res.body.records.map((r: { ref: string; id: string }) => [r.ref, r.id]));
}

const supportedRecords = (ref: string, operation: string, loanRefs: string[], dates: [string, string, string], collateral: string) => [
  { kind: 'application', ref, on: dates[0], operation, loanRefs, collateral: [bond(`${ref}-CGB`, collateral)] },
  { kind: 'approval', ref: `${ref}-OK`, on: dates[1], application: ref, reason: 'meets the rules' },
  { kind: 'disbursement', ref: `${ref}-T`, on: dates[2], application: ref },
];

describe('the LPR tenor is counted from the loan’s dates', () => {
  // LPR in force on 2022-06-15: the fixing of 2022-05-20, 1-year 3.70 %, 5-year-plus 4.45 %; band −150 … +150 bp
  it('when a loan of 5 years and 30 days at 2.30 % is submitted, then it compares with the 5-year-plus LPR: −215 bp, flagged', async () => {
    const bank = await createInstitution(t);
    const res = await post(
      t,
      bank.apiKey,
      '/api/v1/loans',
      loanRequest({ annualRatePercent: '2.30', disbursedOn: '2022-06-15', maturesOn: '2027-07-15' }),
    );
    expect(res.status).toBe(201);
    // 2.30 % − 4.45 % = −2.15 % = −215 bp, below −150 bp
    expect(res.body.lprComparison).toEqual({
      tenor: '5y_plus',
      month: '2022-05',
      lprPercent: '4.45',
      deviationBp: '-215',
      withinBand: false,
    });
    expect(res.body.eligible).toBe(false);
    expect(res.body.reasons[0].code).toBe('rate_outside_lpr_band');
  });

  it('when loans mature exactly five years after disbursement or one day later (leap days included), then the first compares with the 1-year LPR and the second with the 5-year-plus LPR, in a batch as one by one', async () => {
    const bank = await createInstitution(t);
    const rows = [
      // exactly five years: 2.30 % − 3.70 % = −140 bp, eligible
      loanRequest({ annualRatePercent: '2.30', disbursedOn: '2022-06-15', maturesOn: '2027-06-15' }),
      // five years and one day: 2.30 % − 4.45 % = −215 bp
      loanRequest({ annualRatePercent: '2.30', disbursedOn: '2022-06-15', maturesOn: '2027-06-16' }),
      // LPR of 2024-02-20: 3.45 % / 3.95 %. Five years from 29 February 2024 end on 28 February 2029:
      // 2.30 % − 3.45 % = −115 bp
      loanRequest({ annualRatePercent: '2.30', disbursedOn: '2024-02-29', maturesOn: '2029-02-28' }),
      // one day later: 2.30 % − 3.95 % = −165 bp
      loanRequest({ annualRatePercent: '2.30', disbursedOn: '2024-02-29', maturesOn: '2029-03-01' }),
    ];
    const batch = await post(t, bank.apiKey, '/api/v1/loans/batch', { loans: rows });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    const ids: string[] = batch.body.results.map((r: { status: string; id: string }) => {
      expect(r.status).toBe('created');
      return r.id;
    });
    const read = await Promise.all(ids.map(async (id) => (await get(t, bank.apiKey, `/api/v1/loans/${id}`)).body));
    expect(read.map((l) => [l.lprComparison.tenor, l.lprComparison.lprPercent, l.lprComparison.deviationBp, l.eligible])).toEqual([
      ['1y', '3.70', '-140', true],
      ['5y_plus', '4.45', '-215', false],
      ['1y', '3.45', '-115', true],
      ['5y_plus', '3.95', '-165', false],
    ]);

    // an amendment by one day moves the loan across the line and back
    const longer = await post(t, bank.apiKey, `/api/v1/loans/${ids[0]}/amendments`, {
      reason: 'maturity extended by one day',
      loan: { ...rows[0], maturesOn: '2027-06-16' },
    });
    expect(longer.status, JSON.stringify(longer.body)).toBe(201);
    const amended = (await get(t, bank.apiKey, `/api/v1/loans/${ids[0]}`)).body;
    expect(amended.lprComparison).toMatchObject({ tenor: '5y_plus', deviationBp: '-215', withinBand: false });
  });
});

describe('the facility ran without a break into 2023', () => {
  it('when a bank applies on 2023-01-15, then the application is accepted under the 2023 notice (延续实施), not refused facility_ended', async () => {
    at('2023-01-15');
    try {
      const policy = await get(t, t.operatorKey, '/api/v1/policy?on=2023-01-15');
      expect(policy.body.policy).toMatchObject({ id: '2023-01-extension', effectiveFrom: '2023-01-01', facilityEndOn: '2024-12-31' });
      const bank = await createInstitution(t);
      const loan = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2022-12-01', maturesOn: '2025-12-01' });
      const res = await post(t, bank.apiKey, '/api/v1/applications', {
        operation: '2023Q1',
        loanRefs: [loan.loanRef],
        collateral: [bond('CGB-2023-01-15', '600000.00')],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      // 60 % × 1,000,000.00
      expect(res.body).toMatchObject({
        appliedOn: '2023-01-15',
        status: 'submitted',
        requested: '600000.00',
        policyVersion: '2023-01-extension',
      });
    } finally {
      at(TODAY);
    }
  });
});

describe("a tranche's status comes from its dates whenever it is read", () => {
  let bank: { code: string; apiKey: string };
  let overdue: string;
  let maturesToday: string;
  let running: string;

  beforeAll(async () => {
    bank = await createInstitution(t);
    const loans = [
      loanRequest({ loanRef: `${bank.code}-A`, principal: '1000000.00', disbursedOn: '2023-12-01', maturesOn: '2030-12-01' }),
      loanRequest({ loanRef: `${bank.code}-B`, principal: '2000000.00', disbursedOn: '2025-11-03', maturesOn: '2030-11-03' }),
      loanRequest({ loanRef: `${bank.code}-C`, principal: '3000000.00', disbursedOn: '2026-10-15', maturesOn: '2030-10-15' }),
    ];
    // tranches started on 2024-03-08 (matured 2025-03-08), 2025-12-01 (matures today) and 2026-10-20
    const refs = await importHistory(bank.code, loans, [
      ...supportedRecords('S1', '2024Q1', [`${bank.code}-A`], ['2024-03-01', '2024-03-05', '2024-03-08'], '1000000.00'),
      ...supportedRecords('S2', '2025Q4', [`${bank.code}-B`], ['2025-11-20', '2025-11-25', '2025-12-01'], '2000000.00'),
      ...supportedRecords('S3', '2026Q4', [`${bank.code}-C`], ['2026-10-16', '2026-10-18', '2026-10-20'], '2000000.00'),
    ]);
    overdue = refs.get('S1-T')!;
    maturesToday = refs.get('S2-T')!;
    running = refs.get('S3-T')!;
  });

  it('when no maturity scan has run, then the API reads the back-dated tranche overdue, the one maturing today matured and the other active, in lists, filters, detail and the statement', async () => {
    const detail = await get(t, bank.apiKey, `/api/v1/facilities/${overdue}`);
    expect(detail.body).toMatchObject({ startOn: '2024-03-08', maturesOn: '2025-03-08', status: 'overdue', outstanding: '600000.00' });
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${maturesToday}`)).body).toMatchObject({ maturesOn: TODAY, status: 'matured' });
    expect((await get(t, bank.apiKey, `/api/v1/facilities/${running}`)).body).toMatchObject({ maturesOn: '2027-10-20', status: 'active' });

    const list = await get(t, bank.apiKey, '/api/v1/facilities');
    expect(list.body.items.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([
      [overdue, 'overdue'],
      [maturesToday, 'matured'],
      [running, 'active'],
    ]);
    const byStatus = async (status: string) =>
      (await get(t, t.operatorKey, `/api/v1/facilities?institution=${bank.code}&status=${status}`)).body.items.map(
        (f: { id: string }) => f.id,
      );
    expect(await byStatus('overdue')).toEqual([overdue]);
    expect(await byStatus('matured')).toEqual([maturesToday]);
    expect(await byStatus('active')).toEqual([running]);

    const statement = await get(t, bank.apiKey, '/api/v1/facilities/statement');
    expect(statement.body.tranches.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([
      [overdue, 'overdue'],
      [maturesToday, 'matured'],
      [running, 'active'],
    ]);
  });

  it('when the operator and the bank open their pages before any scan, then the tranche is shown overdue there too', async () => {
    const operator = await signInToPages(t, t.operatorKey);
    const page = await request(t.app).get('/operator?lang=en').set('Cookie', operator.join('; '));
    const section = page.text.slice(page.text.indexOf('id="h-overdue"'), page.text.indexOf('id="h-maturing"'));
    expect(section).toContain('2025-03-08');
    expect(section).toContain(bank.code);
    const maturing = page.text.slice(page.text.indexOf('id="h-maturing"'), page.text.indexOf('id="h-calls"'));
    expect(maturing).not.toContain('2025-03-08');
    expect(maturing).toContain(TODAY);

    const own = await signInToPages(t, bank.apiKey);
    const bankPage = await request(t.app).get('/bank?lang=en').set('Cookie', own.join('; '));
    expect(bankPage.status).toBe(200);
    expect(bankPage.text).toContain('overdue · 2025-03-08');
    expect(bankPage.text).toContain(`matures today · ${TODAY}`);
  });

  it('when the maturity scan then runs, then it stores what the reads already said and the reads do not change', async () => {
    const scan = await post(t, t.operatorKey, '/api/v1/facilities/scan-maturities', { on: TODAY });
    expect(scan.status).toBe(200);
    expect(scan.body).toMatchObject({ matured: expect.any(Number), overdue: expect.any(Number) });
    const list = await get(t, bank.apiKey, '/api/v1/facilities');
    expect(list.body.items.map((f: { status: string }) => f.status)).toEqual(['overdue', 'matured', 'active']);
  });
});

describe('pool shortfalls', () => {
  let bankX: { code: string; apiKey: string };
  let bankY: { code: string; apiKey: string };
  let xRefs: Map<string, string>;

  beforeAll(async () => {
    bankX = await createInstitution(t);
    bankY = await createInstitution(t);
    const history = (code: string, repaid: string) => ({
      loans: [
        loanRequest({ loanRef: `${code}-1`, principal: '1000000.00', disbursedOn: '2023-01-05', maturesOn: '2028-01-05' }),
        loanRequest({ loanRef: `${code}-2`, principal: '500000.00', disbursedOn: '2023-01-05', maturesOn: '2028-01-05' }),
      ],
      records: [
        // tranche 60 % × 1,500,000.00 = 900,000.00, started 2023-02-01
        ...supportedRecords(`${code}-A`, '2023Q1', [`${code}-1`, `${code}-2`], ['2023-01-20', '2023-01-25', '2023-02-01'], '1000000.00'),
        // 400,000.00 of the first loan repaid on 2023-02-28: pool 1,100,000.00, 60 % = 660,000.00, owed 240,000.00
        { kind: 'loan_repayment', ref: `${code}-1-R`, on: '2023-02-28', loanRef: `${code}-1`, amount: '400000.00' },
        { kind: 'repayment', ref: `${code}-A-R`, on: repaid, tranche: `${code}-A-T`, principal: '240000.00' },
      ],
    });
    const x = history(bankX.code, '2023-03-20');
    xRefs = await importHistory(bankX.code, x.loans, x.records);
    const y = history(bankY.code, '2023-04-10');
    await importHistory(bankY.code, y.loans, y.records);
  });

  it('when a shortfall comes from an imported loan repayment, then it is raised on the repayment’s date, due 30 days later, and cleared on the tranche repayment’s date', async () => {
    const res = await get(t, bankX.apiKey, '/api/v1/pool-shortfalls');
    expect(res.body.items).toEqual([
      {
        id: expect.any(String),
        institution: bankX.code,
        applicationId: xRefs.get(`${bankX.code}-A`),
        facilityId: xRefs.get(`${bankX.code}-A-T`),
        raisedOn: '2023-02-28',
        dueOn: '2023-03-30',
        amount: '0.00',
        trancheOutstanding: '660000.00',
        poolOutstandingEligible: '1100000.00',
        checkedOn: '2023-03-20',
        status: 'cleared',
        overdue: false,
        clearedOn: '2023-03-20',
      },
    ]);
  });

  it('when a loan repayment is recorded today dated earlier, then the shortfall is raised on the repayment’s date, not today', async () => {
    const bank = await createInstitution(t);
    const records = supportedRecords(
      `${bank.code}-A`,
      '2026Q4',
      [`${bank.code}-1`],
      ['2026-10-20', '2026-10-22', '2026-10-26'],
      '700000.00',
    );
    await importHistory(
      bank.code,
      [loanRequest({ loanRef: `${bank.code}-1`, principal: '1000000.00', disbursedOn: '2026-10-01', maturesOn: '2030-10-01' })],
      records,
    );
    const loans = await get(t, bank.apiKey, '/api/v1/loans');
    const loanId = loans.body.items[0].id;
    // recorded on 2026-12-01, repaid on 2026-11-10: pool 750,000.00, 60 % = 450,000.00; tranche 600,000.00 owes 150,000.00
    const repaid = await post(t, bank.apiKey, `/api/v1/loans/${loanId}/repayments`, { repaidOn: '2026-11-10', amount: '250000.00' });
    expect(repaid.status, JSON.stringify(repaid.body)).toBe(201);
    const [shortfall] = (await get(t, bank.apiKey, '/api/v1/pool-shortfalls')).body.items;
    expect(shortfall).toMatchObject({
      raisedOn: '2026-11-10',
      dueOn: '2026-12-10',
      amount: '150000.00',
      checkedOn: '2026-11-10',
      status: 'open',
    });
  });

  it('when an operator filters by institution, then only that bank’s shortfalls are listed; an unknown code is 404; a bank sees only its own whatever it names', async () => {
    const only = async (key: string, query: string) =>
      (await get(t, key, `/api/v1/pool-shortfalls${query}`)).body.items.map((s: { institution: string }) => s.institution);
    expect(await only(t.operatorKey, `?institution=${bankX.code}`)).toEqual([bankX.code]);
    expect(await only(t.operatorKey, `?institution=${bankY.code}&status=cleared`)).toEqual([bankY.code]);
    expect(await only(t.operatorKey, `?institution=${bankY.code}&status=open`)).toEqual([]);
    const all = await only(t.operatorKey, '?limit=1000');
    expect(all).toEqual(expect.arrayContaining([bankX.code, bankY.code]));
    expect(all.length).toBeGreaterThan(2);
    const unknown = await get(t, t.operatorKey, '/api/v1/pool-shortfalls?institution=NOPE');
    expect(unknown.status).toBe(404);
    expect(await only(bankY.apiKey, `?institution=${bankX.code}`)).toEqual([bankY.code]);
  });
});

describe("an approval's answer names the loans it covers and those it left out", () => {
  it('when 1,200,000.00 is approved of a 1,500,000.00 request whose second loan needs 900,000.00, then 600,000.00 is approved, the second loan is named as left out and why, with a warning; it is free for a later application', async () => {
    const bank = await createInstitution(t);
    // supports: 60 % × 1,000,000.00 = 600,000.00 and 60 % × 1,500,000.00 = 900,000.00; requested 1,500,000.00
    const first = await createLoan(t, bank.apiKey, { principal: '1000000.00', disbursedOn: '2026-10-12', maturesOn: '2029-10-12' });
    const second = await createLoan(t, bank.apiKey, { principal: '1500000.00', disbursedOn: '2026-10-13', maturesOn: '2029-10-13' });
    const application = await apply(t, bank.apiKey, {
      operation: '2026Q4',
      loanRefs: [first.loanRef, second.loanRef],
      collateral: [bond(`CGB-${first.loanRef}`, '1500000.00')],
    });
    expect(application.requested).toBe('1500000.00');

    const res = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, {
      amount: '1200000.00',
      reason: 'quarter volume',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: application.id,
      status: 'approved',
      requested: '1500000.00',
      asked: '1200000.00',
      // the first loan fits (600,000.00 of 1,200,000.00); 600,000.00 is left, less than the second's 900,000.00
      approved: '600000.00',
      covered: [{ loanId: first.id, loanRef: first.loanRef, disbursedOn: '2026-10-12', support: '600000.00' }],
      leftOut: [
        {
          loanId: second.id,
          loanRef: second.loanRef,
          disbursedOn: '2026-10-13',
          support: '900000.00',
          reason: { code: 'support_does_not_fit', message: expect.stringContaining('900000.00 did not fit in the 600000.00') },
        },
      ],
      warnings: [{ code: 'approval_covers_less_than_asked', message: expect.stringContaining(second.loanRef) }],
    });
    expect(res.body.warnings[0].message).toContain('600000.00 less than asked');

    const detail = await get(t, bank.apiKey, `/api/v1/applications/${application.id}`);
    expect(detail.body.loans.map((l: { loanId: string; covered: boolean }) => [l.loanId, l.covered])).toEqual([
      [first.id, true],
      [second.id, false],
    ]);
    const later = await apply(t, bank.apiKey, {
      operation: '2026Q4',
      loanRefs: [second.loanRef],
      collateral: [bond(`CGB-${second.loanRef}`, '900000.00')],
    });
    expect(later.requested).toBe('900000.00');

    // approved in full: everything covered, nothing left out, no warning
    const full = await post(t, t.operatorKey, `/api/v1/applications/${later.id}/approve`, { reason: 'meets the rules' });
    expect(full.body).toMatchObject({ asked: '900000.00', approved: '900000.00', leftOut: [], warnings: [] });
    expect(full.body.covered.map((l: { loanId: string }) => l.loanId)).toEqual([second.id]);
  });

  it('when the API is described, then the approval answer shows the loans covered, left out and the warnings', async () => {
    const spec = (await request(t.app).get('/openapi.json')).body;
    const schema = spec.components.schemas.ApplicationApproval;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['asked', 'covered', 'leftOut', 'warnings']));
    const op = spec.paths['/api/v1/applications/{id}/approve'].post;
    expect(JSON.stringify(op.responses['200'])).toContain('ApplicationApproval');
  });
});
