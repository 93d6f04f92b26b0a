/**
 * Corrections reach every figure they change, through the API with the service's clock moved across
 * years: when the records of an earlier date change (support approved late, an approval withdrawn, a
 * loan amended or accepted after the fact, a history import), every compiled quarter whose figures
 * change gets exactly one new version — its own quarter, the rest of its year and every later compiled
 * quarter — and the quarters whose figures do not change get none. An operator corrects a draft by
 * hand; a correction that fails leaves the versions as they were and its job compiles it.
 *
 * Figures by hand: 万元 = yuan ÷ 10,000 to 0.01; a loan's attributed reduction = project reduction ×
 * principal ÷ total investment, summed exactly and rounded half up once to 0.01 t; every loan here is
 * at 3.50 %, so every weighted rate is 3.50.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, refuseVersionsOf, startJobs, stopJobs, uniqueCode } from '../factories/disclosures.js';
import { loanRequest, type LoanRequest } from '../factories/loans.js';
import { acceptLoan, apply, approve, get, openOperation, post } from '../factories/refinancing.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

type Bank = { id: string; code: string; apiKey: string };
type Loan = { id: string; loanRef: string; body: LoanRequest };

let t: TestApp;
let jobs: JobRuntime;

const at = (date: string) => t.setNow(`${date}T04:00:00Z`);
const D = (bank: Bank, quarter: string) => `/api/v1/disclosures/${bank.code}/${quarter}`;
const disclosure = async (bank: Bank, quarter: string, version?: number) =>
  (await get(t, t.operatorKey, `${D(bank, quarter)}${version ? `?version=${version}` : ''}`)).body;
const versionsOf = async (bank: Bank, quarter: string) =>
  (await get(t, t.operatorKey, `${D(bank, quarter)}/versions`)).body.items as { version: number; reason: string | null; status: string }[];
const jobsDone = () =>
  eventually(async () => {
    const { outbox } = await jobs.health();
    return outbox.every((row) => row.status === 'done' || row.status === 'failed') && outbox.length > 0;
  }, 'jobs done');

let serial = 0;
const project = (investment: string, tonnes: string) => {
  serial += 1;
  return { ref: `CP-${process.pid}-${serial}`, name: `更正测试项目${serial}`, totalInvestment: investment, annualReductionTonnes: tonnes };
};
async function loan(bank: Bank, principal: string, disbursedOn: string, p: ReturnType<typeof project>, rate = '3.50'): Promise<Loan> {
  const body = loanRequest({ principal, disbursedOn, maturesOn: '2026-06-30', annualRatePercent: rate, project: p });
  const res = await post(t, bank.apiKey, '/api/v1/loans', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, loanRef: body.loanRef, body };
}
const supportNow = async (bank: Bank, operation: string, loans: Loan[]) =>
  approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation, loanRefs: loans.map((l) => l.loanRef) })).id);

const QUARTERS = ['2022Q3', '2022Q4', '2023Q1', '2023Q2', '2023Q3'];
type Fig = [projects: number, wan: string, tonnes: string];
const figures = ([projects, wan, tonnes]: Fig) => ({
  projects,
  loanAmountWanYuan: wan,
  weightedAverageRatePercent: projects ? '3.50' : null,
  annualReductionTonnes: tonnes,
});
const NONE: Fig = [0, '0.00', '0.00'];
const horizons = (q: Fig, ytd: Fig, si: Fig) => ({ quarter: figures(q), yearToDate: figures(ytd), sinceInception: figures(si) });

/** Every bank of the file is set up on the way through 2022 and 2023; the quarters are compiled on 2023-10-10. */
let K: Bank; // the issue's example: later years go stale
let I: Bank; // a history import
let F: Bank; // a flagged loan accepted after the fact
let H: Bank; // an operator's correction by hand, and a failing correction
const k: Record<string, Loan> = {};
const i: Record<string, Loan> = {};
const f: Record<string, Loan> = {};
let kLate: { id: string };

beforeAll(async () => {
  t = await createTestApp({ now: '2022-07-04T04:00:00Z' });
  jobs = await startJobs(t);
  K = await createInstitution(t, { code: uniqueCode('CK') });
  I = await createInstitution(t, { code: uniqueCode('CI') });
  F = await createInstitution(t, { code: uniqueCode('CF') });
  H = await createInstitution(t, { code: uniqueCode('CH') });
  await openOperation(t, '2022Q3', '100000000000.00');

  at('2022-09-01');
  k.L1 = await loan(K, '10000000.00', '2022-08-10', project('100000000.00', '1000.00')); // 1000.00 万元, 100.00 t
  i.L0 = await loan(I, '1000000.00', '2022-08-11', project('10000000.00', '1000.00')); // 100.00 万元, 100.00 t
  f.L0 = await loan(F, '2000000.00', '2022-08-12', project('4000000.00', '20.00')); // 200.00 万元, 10.00 t
  const h0 = await loan(H, '3000000.00', '2022-08-13', project('6000000.00', '60.00')); // 300.00 万元, 30.00 t
  await supportNow(K, '2022Q3', [k.L1]);
  await supportNow(I, '2022Q3', [i.L0]);
  await supportNow(F, '2022Q3', [f.L0]);
  await supportNow(H, '2022Q3', [h0]);

  at('2022-10-05');
  // rate 9.00 % on a term of over three years: far above the 5-year LPR band, flagged
  f.L9 = await loan(F, '4000000.00', '2022-10-05', project('16000000.00', '200.00'), '9.00'); // 400.00 万元, 50.00 t

  at('2022-12-22');
  await openOperation(t, '2022Q4', '100000000000.00');
  k.L2 = await loan(K, '1000000.00', '2022-09-20', project('10000000.00', '500.00')); // 100.00 万元, 50.00 t
  k.L3 = await loan(K, '2000000.00', '2022-11-15', project('8000000.00', '300.00')); // 200.00 万元, 75.00 t
  k.L4 = await loan(K, '3000000.00', '2022-12-20', project('9000000.00', '100.00')); // 300.00 万元, 33.333… t
  // applied for in December, decided only after the next year's quarters were compiled
  kLate = await apply(t, K.apiKey, { operation: '2022Q4', loanRefs: [k.L2.loanRef, k.L3.loanRef, k.L4.loanRef] });

  at('2023-03-01');
  await openOperation(t, '2023Q1', '100000000000.00');
  k.L5 = await loan(K, '5000000.00', '2023-02-10', project('20000000.00', '400.00')); // 500.00 万元, 100.00 t
  await supportNow(K, '2023Q1', [k.L5]);

  at('2023-10-10');
  await openOperation(t, '2023Q4', '100000000000.00');
  for (const quarter of QUARTERS) expect((await post(t, t.operatorKey, '/api/v1/disclosures/compile', { quarter })).status).toBe(202);
  await jobsDone();
  for (const bank of [K, I, F, H]) for (const quarter of QUARTERS) expect((await versionsOf(bank, quarter)).length).toBe(1);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('later years', () => {
  it('when support is approved in 2023 for three 2022 loans after 2022Q3–2023Q3 were compiled, then every one of those quarters gets one new version whose figures count the loans', async () => {
    const before = await disclosure(K, '2023Q3');
    expect(before.horizons.sinceInception).toMatchObject(figures([2, '1500.00', '200.00']));

    await approve(t, t.operatorKey, kLate.id);

    // L1 + L2 in 2022Q3: 1100.00 万元, 100.00 + 50.00 t
    expect(await disclosure(K, '2022Q3')).toMatchObject({
      version: 2,
      reason: 'support_after_compile',
      previousVersion: 1,
      addedLoanIds: [k.L2.id],
      horizons: horizons([2, '1100.00', '150.00'], [2, '1100.00', '150.00'], [2, '1100.00', '150.00']),
    });
    // L3 + L4 in 2022Q4: 500.00 万元, 75.00 + 33.333… = 108.33 t; 2022: 1600.00 万元, 258.333… = 258.33 t
    const q4 = await disclosure(K, '2022Q4');
    expect(q4).toMatchObject({
      version: 2,
      reason: 'support_after_compile',
      horizons: horizons([2, '500.00', '108.33'], [4, '1600.00', '258.33'], [4, '1600.00', '258.33']),
    });
    expect([...q4.addedLoanIds].sort()).toEqual([k.L2.id, k.L3.id, k.L4.id].sort());
    // 2023: L5 alone in its quarter and year; since inception L1…L5: 2100.00 万元, 358.333… = 358.33 t
    expect(await disclosure(K, '2023Q1')).toMatchObject({
      version: 2,
      reason: 'support_after_compile',
      horizons: horizons([1, '500.00', '100.00'], [1, '500.00', '100.00'], [5, '2100.00', '358.33']),
    });
    for (const quarter of ['2023Q2', '2023Q3']) {
      const v = await disclosure(K, quarter);
      expect(v, quarter).toMatchObject({
        version: 2,
        reason: 'support_after_compile',
        previousVersion: 1,
        horizons: horizons(NONE, [1, '500.00', '100.00'], [5, '2100.00', '358.33']),
      });
      // the difference names the since-inception figures and the three loans
      expect(v.difference.figures).toContainEqual(
        expect.objectContaining({ scope: 'total', horizon: 'sinceInception', figure: 'loanAmountWanYuan', from: '1500.00', to: '2100.00' }),
      );
      expect(v.difference.figures.filter((d: { horizon: string }) => d.horizon !== 'sinceInception')).toEqual([]);
      expect(v.difference.loans.map((l: { loanId: string; change: string }) => [l.loanId, l.change]).sort()).toEqual(
        [k.L2.id, k.L3.id, k.L4.id].sort().map((id) => [id, 'added']),
      );
    }
    // one version per quarter for the event; the first versions gave way (drafts are corrected)
    for (const quarter of QUARTERS) {
      expect((await versionsOf(K, quarter)).map((v) => [v.version, v.status])).toEqual([
        [1, 'superseded'],
        [2, 'compiled'],
      ]);
    }
  });

  it('when a loan of 2022Q3 is amended (its project’s reduction 1000.00 → 1200.00 t), then every quarter since gets one loan_changed version with the new tonnes', async () => {
    at('2023-10-11');
    const amended = { ...k.L1.body, project: { ...k.L1.body.project, annualReductionTonnes: '1200.00' } };
    const res = await post(t, K.apiKey, `/api/v1/loans/${k.L1.id}/amendments`, { reason: '可研报告更新', loan: amended });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    k.L1.body = amended;
    // L1 now attributes 1200.00 × 10,000,000 ÷ 100,000,000 = 120.00 t (20.00 t more)
    expect(await disclosure(K, '2022Q3')).toMatchObject({
      version: 3,
      reason: 'loan_changed',
      horizons: { quarter: figures([2, '1100.00', '170.00']), sinceInception: figures([2, '1100.00', '170.00']) },
    });
    expect((await disclosure(K, '2022Q3')).difference.loans).toEqual([
      expect.objectContaining({
        loanId: k.L1.id,
        change: 'changed',
        fields: { attributedCentitonnes: { from: '10000', to: '12000' } },
      }),
    ]);
    expect(await disclosure(K, '2022Q4')).toMatchObject({
      version: 3,
      reason: 'loan_changed',
      horizons: horizons([2, '500.00', '108.33'], [4, '1600.00', '278.33'], [4, '1600.00', '278.33']),
    });
    for (const quarter of ['2023Q1', '2023Q2', '2023Q3'])
      expect(await disclosure(K, quarter), quarter).toMatchObject({
        version: 3,
        reason: 'loan_changed',
        horizons: { yearToDate: figures([1, '500.00', '100.00']), sinceInception: figures([5, '2100.00', '378.33']) },
      });
  });

  it('when an amendment changes nothing any figure or counted loan shows (the borrower’s name), then no quarter gets a new version', async () => {
    const renamed = { ...k.L5.body, borrower: { ...k.L5.body.borrower, name: '更名后的借款人有限公司' } };
    const res = await post(t, K.apiKey, `/api/v1/loans/${k.L5.id}/amendments`, { reason: '借款人更名', loan: renamed });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    for (const quarter of QUARTERS) expect((await versionsOf(K, quarter)).length, quarter).toBe(3);
  });

  it('when the late approval is rejected before its disbursement, then every quarter since 2022Q3 gets one support_withdrawn version without its three loans', async () => {
    const res = await post(t, t.operatorKey, `/api/v1/applications/${kLate.id}/reject`, { reason: '资料不全，撤销批准' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await disclosure(K, '2022Q3')).toMatchObject({
      version: 4,
      reason: 'support_withdrawn',
      addedLoanIds: [],
      basis: { loans: 1 },
      horizons: { quarter: figures([1, '1000.00', '120.00']) },
    });
    expect(await disclosure(K, '2022Q4')).toMatchObject({
      version: 4,
      reason: 'support_withdrawn',
      horizons: horizons(NONE, [1, '1000.00', '120.00'], [1, '1000.00', '120.00']),
    });
    for (const quarter of ['2023Q1', '2023Q2', '2023Q3']) {
      const v = await disclosure(K, quarter);
      expect(v, quarter).toMatchObject({
        version: 4,
        reason: 'support_withdrawn',
        horizons: { sinceInception: figures([2, '1500.00', '220.00']) },
      });
      expect(v.difference.loans.map((l: { loanId: string; change: string }) => [l.loanId, l.change]).sort()).toEqual(
        [k.L2.id, k.L3.id, k.L4.id].sort().map((id) => [id, 'removed']),
      );
    }
  });
});

describe('acceptance after the fact', () => {
  it('when a flagged 2022Q4 loan is accepted in 2023 (dated back) and then supported, then the acceptance alone changes no version and the support corrects 2022Q4 onwards only', async () => {
    at('2023-10-12');
    await acceptLoan(t, f.L9.id, { reason: '利率经审核属实', on: '2022-10-06' });
    for (const quarter of QUARTERS) expect((await versionsOf(F, quarter)).length, quarter).toBe(1);

    await supportNow(F, '2023Q4', [f.L9]);
    // 2022Q3 does not count a loan of October: unchanged
    expect((await versionsOf(F, '2022Q3')).length).toBe(1);
    // L0 200.00 万元 10.00 t, L9 400.00 万元 200.00 × 4,000,000 ÷ 16,000,000 = 50.00 t; the weighted rate
    // (2,000,000 × 3.50 + 4,000,000 × 9.00) ÷ 6,000,000 = 7.1666… → 7.17
    expect(await disclosure(F, '2022Q4')).toMatchObject({
      version: 2,
      reason: 'support_after_compile',
      addedLoanIds: [f.L9.id],
      horizons: {
        quarter: { projects: 1, loanAmountWanYuan: '400.00', weightedAverageRatePercent: '9.00', annualReductionTonnes: '50.00' },
        yearToDate: { projects: 2, loanAmountWanYuan: '600.00', weightedAverageRatePercent: '7.17', annualReductionTonnes: '60.00' },
      },
    });
    for (const quarter of ['2023Q1', '2023Q2', '2023Q3'])
      expect(await disclosure(F, quarter), quarter).toMatchObject({
        version: 2,
        horizons: {
          yearToDate: figures(NONE),
          sinceInception: { projects: 2, loanAmountWanYuan: '600.00', weightedAverageRatePercent: '7.17', annualReductionTonnes: '60.00' },
        },
      });
  });
});

describe('a history import', () => {
  it('when an import books three loans and two approvals over 2022Q3–2023Q1, then each compiled quarter since 2022Q3 gets exactly one history_imported version', async () => {
    at('2023-10-13');
    const doc = {
      institution: I.code,
      loans: [
        loanRequest({
          loanRef: 'IL1',
          principal: '2000000.00',
          annualRatePercent: '3.50',
          disbursedOn: '2022-09-05',
          maturesOn: '2026-06-30',
          project: project('20000000.00', '500.00'),
        }), // 200.00 万元, 50.00 t
        loanRequest({
          loanRef: 'IL2',
          principal: '500000.00',
          annualRatePercent: '3.50',
          disbursedOn: '2022-11-20',
          maturesOn: '2026-06-30',
          project: project('5000000.00', '30.00'),
        }), // 50.00 万元, 3.00 t
        loanRequest({
          loanRef: 'IL3',
          principal: '1500000.00',
          annualRatePercent: '3.50',
          disbursedOn: '2023-02-15',
          maturesOn: '2026-06-30',
          project: project('4500000.00', '10.00'),
        }), // 150.00 万元, 3.333… t
      ],
      records: [
        { kind: 'application', ref: 'IA1', on: '2022-12-23', operation: '2022Q4', loanRefs: ['IL1', 'IL2'], collateral: [] },
        { kind: 'approval', ref: 'IA1-OK', on: '2022-12-28', application: 'IA1', reason: 'meets the rules' },
        { kind: 'application', ref: 'IA2', on: '2023-03-05', operation: '2023Q1', loanRefs: ['IL3'], collateral: [] },
        { kind: 'approval', ref: 'IA2-OK', on: '2023-03-08', application: 'IA2', reason: 'meets the rules' },
      ],
    };
    const res = await request(t.app).post('/api/v1/imports').set(bearer(t.operatorKey)).send(doc);
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    for (const quarter of QUARTERS)
      expect(
        (await versionsOf(I, quarter)).map((v) => [v.version, v.reason]),
        quarter,
      ).toEqual([
        [1, null],
        [2, 'history_imported'],
      ]);
    expect(await disclosure(I, '2022Q3')).toMatchObject({ horizons: { quarter: figures([2, '300.00', '150.00']) } });
    expect(await disclosure(I, '2022Q4')).toMatchObject({
      horizons: horizons([1, '50.00', '3.00'], [3, '350.00', '153.00'], [3, '350.00', '153.00']),
    });
    // 100.00 + 50.00 + 3.00 + 3.333… = 156.333… → 156.33 t
    expect(await disclosure(I, '2023Q1')).toMatchObject({
      horizons: horizons([1, '150.00', '3.33'], [1, '150.00', '3.33'], [4, '500.00', '156.33']),
    });
    for (const quarter of ['2023Q2', '2023Q3'])
      expect(await disclosure(I, quarter), quarter).toMatchObject({
        horizons: horizons(NONE, [1, '150.00', '3.33'], [4, '500.00', '156.33']),
      });
  });
});

describe('by hand, and when a correction fails', () => {
  it('when an operator asks for a new version of a compiled draft with a reason, then it is compiled at once (operator_correction); a bank is refused illegal_transition; no reason is refused naming the field', async () => {
    const missing = await post(t, t.operatorKey, `${D(H, '2023Q2')}/versions`, {});
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    const bank = await post(t, H.apiKey, `${D(H, '2023Q2')}/versions`, { reason: '请更正' });
    expect(bank.status).toBe(409);
    expect(bank.body).toMatchObject({ code: 'illegal_transition', currentStatus: 'compiled' });
    const notCompiled = await post(t, t.operatorKey, `${D(H, '2021Q4')}/versions`, { reason: '请更正' });
    expect(notCompiled.status).toBe(404);

    const res = await post(t, t.operatorKey, `${D(H, '2023Q2')}/versions`, { reason: '核对后重新编制' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      version: 2,
      status: 'compiled',
      reason: 'operator_correction',
      changeReason: '核对后重新编制',
      previousVersion: 1,
      horizons: horizons(NONE, NONE, [1, '300.00', '30.00']),
      difference: { from: 1, figures: [], loans: [] },
    });
    expect((await disclosure(H, '2023Q2', 1)).status).toBe('superseded');
  });

  it('when the correction of a late approval fails, then the approval stands, every version stays as it was, and the correction job compiles it once the failure is gone', async () => {
    at('2023-10-14');
    const h1 = await loan(H, '1000000.00', '2023-05-05', project('2000000.00', '40.00')); // 100.00 万元, 20.00 t
    // the database refuses every new version of this bank for a while
    const allowVersions = await refuseVersionsOf(t, H);
    try {
      await stopJobs(jobs);
      const approved = await supportNow(H, '2023Q4', [h1]);
      expect(approved).toMatchObject({ status: 'approved' });
      for (const quarter of ['2023Q2', '2023Q3'])
        expect((await disclosure(H, quarter)).version, quarter).toBe(quarter === '2023Q2' ? 2 : 1);
      jobs = await startJobs(t, { retry: { attempts: 2, backoffMs: 50 } });
      const failing = await eventually(async () => {
        const r = await get(t, t.operatorKey, '/api/v1/jobs/failed');
        return (r.body.items as { jobId: string }[] | undefined)?.find((j) => j.jobId.startsWith('correct.'));
      }, 'the correction job failing');
      expect(failing.jobId).toMatch(/^correct\.support_after_compile\./);
    } finally {
      await allowVersions();
    }
    const failed = (await get(t, t.operatorKey, '/api/v1/jobs/failed')).body.items.find((j: { jobId: string }) =>
      j.jobId.startsWith('correct.'),
    );
    expect((await post(t, t.operatorKey, `/api/v1/jobs/${failed.jobId}/retry`)).status).toBe(202);
    await eventually(async () => (await disclosure(H, '2023Q3')).version === 2, 'the correction');
    expect(await disclosure(H, '2023Q2')).toMatchObject({
      version: 3,
      reason: 'support_after_compile',
      horizons: horizons([1, '100.00', '20.00'], [1, '100.00', '20.00'], [2, '400.00', '50.00']),
    });
    expect(await disclosure(H, '2023Q3')).toMatchObject({
      version: 2,
      reason: 'support_after_compile',
      horizons: horizons(NONE, [1, '100.00', '20.00'], [2, '400.00', '50.00']),
    });
    expect((await versionsOf(H, '2023Q1')).length).toBe(1);
  });
});
