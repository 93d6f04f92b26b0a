/**
 * The facility's loan figures are read from per-application summaries (migration 0036); whatever they
 * are summarised from may change after a disbursement, and the figures must follow at once. After each
 * change below (a loan's borrower, a loan's project, a project's province and figures, a bank's category,
 * an application's loans, a reversal) the figures equal those computed from the loans themselves by the
 * statement the summaries replaced (test/support/loan-figures-oracle.ts): read directly before any
 * refresh (the changed applications taken from their loans), through the API (which refreshes first),
 * and directly again from the refreshed summaries.
 *
 * Bank SNA (national): loans A1 (borrower 甲, project PA1 in 河北省), A2 (乙, PA2 in 浙江省), A3 (甲, PA3
 * in 内蒙古自治区) on one application approved in part (A3 left out), and A5 (丙, on project PA1 too) on a
 * second application. Bank SLO (local legal-person): loan B1 (乙, PB1 in 浙江省).
 * The tests of this file run in order.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loanFiguresAt, type LoanFiguresRow } from '../../db/read-models/facility-statistics.js';
import { syntheticCreditCode } from '../../domain/loans/credit-code.js';
import { formatCentitonnes, formatYuan } from '../../domain/money.js';
import { act } from '../factories/approvals.js';
import { createUser } from '../factories/institutions.js';
import { loanRequest, type LoanRequest } from '../factories/loans.js';
import { apply, approve, bond, createLoan, disburse, get, openOperation, post, reverseEntry } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { loanFiguresFromLoans } from '../support/loan-figures-oracle.js';

let t: TestApp;
let checker: { apiKey: string };
const keys: Record<string, string> = {};
const loans: Record<string, { id: string; bank: string; body: LoanRequest }> = {};
const DATES = ['2024-06-02', '2024-06-03', '2024-07-01', '2024-07-02', '2024-08-01'];

const borrower = (name: string, serial: number) => ({ name: `${name}有限公司`, creditCode: syntheticCreditCode('91330000', serial) });
const BORROWERS = { 甲: borrower('甲', 1), 乙: borrower('乙', 2), 丙: borrower('丙', 3) };
const project = (ref: string, province: string) => ({
  ref,
  name: `${ref}项目`,
  province,
  totalInvestment: '800000000.00',
  annualReductionTonnes: '210000.00',
  reductionBasis: 'feasibility_study' as const,
  evidence: { title: '可行性研究报告', sha256: createHash('sha256').update(ref).digest('hex') },
});

async function register(code: string, category: string, serial: number) {
  const res = await post(t, t.operatorKey, '/api/v1/institutions', {
    code,
    nameZh: `${code}银行`,
    nameEn: `${code} Bank`,
    kind: 'bank',
    eligibleFrom: '2021-11-08',
    category,
    province: '北京市',
    unifiedSocialCreditCode: syntheticCreditCode('91110000', serial),
  });
  expect(res.status).toBe(201);
  keys[code] = res.body.apiKey;
}

async function lend(bank: string, ref: string, principal: string, who: keyof typeof BORROWERS, p: ReturnType<typeof project>) {
  const body = loanRequest({ loanRef: ref, principal, borrower: BORROWERS[who], project: p, disbursedOn: '2024-05-15' });
  loans[ref] = { id: (await createLoan(t, keys[bank], body)).id, bank, body };
}

async function amend(ref: string, change: Partial<LoanRequest>, reason: string) {
  const l = loans[ref];
  const body = { ...l.body, ...change } as LoanRequest;
  const res = await post(t, keys[l.bank], `/api/v1/loans/${l.id}/amendments`, { reason, loan: body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  l.body = body;
}

const sorted = (rows: (LoanFiguresRow & { on: string })[]) =>
  rows
    .map((r) => ({ ...r, principalFen: String(r.principalFen), reductionCentitonnes: String(r.reductionCentitonnes) }))
    .sort((a, b) => `${a.on}|${a.grouping}|${a.key}`.localeCompare(`${b.on}|${b.grouping}|${b.key}`));

const read = (fn: typeof loanFiguresAt) => t.database.db.transaction(async (tx) => sorted(await fn(tx, DATES)));

/** the loan figures of one group as the API shows them */
const shown = (r: { loans: number; principalFen: string; enterprises: number; projects: number; reductionCentitonnes: string }) => ({
  loans: r.loans,
  loansPrincipal: formatYuan(BigInt(r.principalFen)),
  enterprises: r.enterprises,
  projects: r.projects,
  annualReductionTonnes: formatCentitonnes(BigInt(r.reductionCentitonnes)),
});
const loanFields = (v: Record<string, unknown>) => ({
  loans: v.loans,
  loansPrincipal: v.loansPrincipal,
  enterprises: v.enterprises,
  projects: v.projects,
  annualReductionTonnes: v.annualReductionTonnes,
});

/**
 * The figures on every date equal the oracle's: read directly (before any refresh), through the API, and
 * directly again (from the refreshed summaries). Answers the oracle's rows.
 */
async function expectFiguresFromTheLoans() {
  const oracle = await read(loanFiguresFromLoans);
  expect(await read(loanFiguresAt)).toEqual(oracle);
  const codes = new Map(
    ((await t.database.db.execute(sql`select id, code from institutions`)) as unknown as { rows: { id: string; code: string }[] }).rows.map(
      (r) => [r.id, r.code],
    ),
  );
  for (const on of DATES) {
    const res = await get(t, t.operatorKey, `/api/v1/facility/statistics?on=${on}`);
    expect(res.status).toBe(200);
    const mine = oracle.filter((r) => r.on === on);
    const total = mine.find((r) => r.grouping === 'total');
    expect(loanFields(res.body.total)).toEqual(
      total ? shown(total) : { loans: 0, loansPrincipal: '0.00', enterprises: 0, projects: 0, annualReductionTonnes: '0.00' },
    );
    const groups = (grouping: string, list: Record<string, unknown>[], keyOf: (v: Record<string, unknown>) => string) => {
      const api = Object.fromEntries(list.filter((v) => Number(v.loans) > 0).map((v) => [keyOf(v), loanFields(v)]));
      const want = Object.fromEntries(
        mine.filter((r) => r.grouping === grouping).map((r) => [grouping === 'institution' ? codes.get(r.key!)! : r.key!, shown(r)]),
      );
      expect(api, `${grouping} on ${on}`).toEqual(want);
    };
    groups('category', res.body.byCategory, (v) => String(v.category));
    groups('province', res.body.byProvince, (v) => String(v.province));
    groups('sub_area', res.body.bySubArea, (v) => String(v.subArea));
    groups('institution', res.body.byInstitution, (v) => String(v.code));
  }
  expect(await read(loanFiguresAt)).toEqual(oracle);
  const [dirty] = (
    (await t.database.db.execute(sql`select count(*)::int as n from statistics_dirty`)) as unknown as { rows: { n: number }[] }
  ).rows;
  expect(dirty.n).toBe(0);
  return oracle;
}

const totalOn = (rows: Awaited<ReturnType<typeof expectFiguresFromTheLoans>>, on: string) =>
  rows.find((r) => r.on === on && r.grouping === 'total');

beforeAll(async () => {
  t = await createTestApp({ now: '2024-06-03T02:00:00Z' });
  checker = await createUser(t, 'PBOC', 'second operator');
  await register('SNA', 'national', 21);
  await register('SLO', 'local_legal_person', 22);
  await lend('SNA', 'A1', '1000000.00', '甲', project('PA1', '河北省'));
  await lend('SNA', 'A2', '2000000.00', '乙', project('PA2', '浙江省'));
  await lend('SNA', 'A3', '500000.00', '甲', project('PA3', '内蒙古自治区'));
  await lend('SNA', 'A5', '700000.00', '丙', project('PA1', '河北省'));
  await lend('SLO', 'B1', '400000.00', '乙', project('PB1', '浙江省'));
  await openOperation(t, '2024Q2', '100000000.00');
  // 60 % of A1 and A2 (1,800,000.00) of the 2,100,000.00 asked: A3 is left out
  const first = await apply(t, keys.SNA, { operation: '2024Q2', loanRefs: ['A1', 'A2', 'A3'], collateral: [bond('CGB-S1', '2100000.00')] });
  await approve(t, t.operatorKey, first.id, '1800000.00');
  await disburse(t, checker.apiKey, first.id);
  const second = await apply(t, keys.SNA, { operation: '2024Q2', loanRefs: ['A5'], collateral: [bond('CGB-S2', '420000.00')] });
  await approve(t, t.operatorKey, second.id);
  await disburse(t, checker.apiKey, second.id);
  const third = await apply(t, keys.SLO, { operation: '2024Q2', loanRefs: ['B1'], collateral: [bond('CGB-S3', '240000.00')] });
  await approve(t, t.operatorKey, third.id);
  await disburse(t, checker.apiKey, third.id);
});
afterAll(async () => t.close());

describe('the facility figures after what they are summarised from changes', () => {
  it('after three disbursements, one approved in part, then the loans left out do not count and the figures are those of the loans', async () => {
    const figures = await expectFiguresFromTheLoans();
    expect(totalOn(figures, '2024-06-02')).toBeUndefined();
    // A1, A2, A5, B1 of 甲, 乙, 丙; four projects in the register (PA1 of 甲 and PA1 of 丙 are two: a project is its borrower's)
    expect(totalOn(figures, '2024-06-03')).toMatchObject({ loans: 4, principalFen: '410000000', enterprises: 3, projects: 4 });
  });

  it('when a supported loan changes borrower, then the enterprises follow', async () => {
    await amend('A2', { borrower: BORROWERS.甲 }, 'the borrower was misnamed');
    const figures = await expectFiguresFromTheLoans();
    expect(totalOn(figures, '2024-06-03')).toMatchObject({ loans: 4, enterprises: 3 });
    expect(figures.find((r) => r.on === '2024-06-03' && r.grouping === 'province' && r.key === '浙江省')).toMatchObject({
      loans: 2,
      enterprises: 2,
    });
  });

  it('when a supported loan moves to another project, then the projects, provinces and reduction follow', async () => {
    await amend(
      'B1',
      { project: { ...loans.B1.body.project, ...project('PB2', '广东省'), annualReductionTonnes: '80000.00' } },
      'another project',
    );
    const figures = await expectFiguresFromTheLoans();
    expect(figures.find((r) => r.on === '2024-06-03' && r.grouping === 'province' && r.key === '广东省')).toMatchObject({
      loans: 1,
      projects: 1,
    });
  });

  it("when a project's province and figures change through one of its loans, then every application financing it follows", async () => {
    await amend(
      'A1',
      { project: { ...loans.A1.body.project, province: '山西省', totalInvestment: '900000000.00', annualReductionTonnes: '300000.00' } },
      'the project as built',
    );
    const figures = await expectFiguresFromTheLoans();
    // A5, on another application, is on the same project
    expect(figures.find((r) => r.on === '2024-06-03' && r.grouping === 'province' && r.key === '山西省')).toMatchObject({
      loans: 2,
      principalFen: '170000000',
    });
    expect(figures.some((r) => r.grouping === 'province' && r.key === '河北省')).toBe(false);
  });

  it("when a bank's category changes, then its loans count in the new category", async () => {
    const res = await act(t, t.operatorKey, 'patch', '/api/v1/institutions/SLO', { category: 'national' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const figures = await expectFiguresFromTheLoans();
    expect(figures.filter((r) => r.on === '2024-06-03' && r.grouping === 'category').map((r) => r.key)).toEqual(['national']);
  });

  it('when the loan left out is listed and disbursed on a new application, then it counts from that date', async () => {
    t.setNow('2024-07-02T02:00:00Z');
    await openOperation(t, '2024Q3', '100000000.00');
    const again = await apply(t, keys.SNA, { operation: '2024Q3', loanRefs: ['A3'], collateral: [bond('CGB-S4', '300000.00')] });
    await approve(t, t.operatorKey, again.id);
    await disburse(t, checker.apiKey, again.id);
    const figures = await expectFiguresFromTheLoans();
    expect(totalOn(figures, '2024-07-01')).toMatchObject({ loans: 4 });
    expect(totalOn(figures, '2024-07-02')).toMatchObject({ loans: 5, principalFen: '460000000' });
  });

  it('when a disbursement is reversed, then its loans stop counting from the reversal', async () => {
    t.setNow('2024-08-01T02:00:00Z');
    const journal = await get(t, t.operatorKey, '/api/v1/journal?institution=SLO&kind=disbursement');
    await reverseEntry(t, journal.body.items[0].id, { reason: 'disbursed against the wrong loan', on: '2024-07-02' });
    const figures = await expectFiguresFromTheLoans();
    expect(totalOn(figures, '2024-07-01')).toMatchObject({ loans: 4, principalFen: '410000000' });
    // A3 counts from 2024-07-02, B1 no longer
    expect(totalOn(figures, '2024-07-02')).toMatchObject({ loans: 4, principalFen: '420000000' });
  });
});
