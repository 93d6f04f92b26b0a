/**
 * Which loans a quarter counts (issue 9, item 3), through the API with the service's clock moved:
 * a partial approval covers whole loans in listed order; support approved after a quarter was compiled
 * compiles that quarter again by itself (reason support_after_compile), so a year's quarters add up.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, uniqueCode } from '../factories/disclosures.js';
import { apply, approve, createLoan, get, openOperation, post } from '../factories/refinancing.js';
import { createTestApp, type TestApp } from '../support/harness.js';

type Bank = { id: string; code: string; apiKey: string };
type Figures = { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string | null; annualReductionTonnes: string };

let t: TestApp;
let jobs: JobRuntime;
let verifier: Bank;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  jobs = await startJobs(t);
  verifier = await createInstitution(t, { code: uniqueCode('QV'), kind: 'verifier' });
  await openOperation(t, '2022Q4', '100000000000.00');
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

const D = (bank: Bank, quarter: string) => `/api/v1/disclosures/${bank.code}/${quarter}`;
const disclosure = async (bank: Bank, quarter: string, version?: number) =>
  (await get(t, bank.apiKey, `${D(bank, quarter)}${version ? `?version=${version}` : ''}`)).body;
const compileQuarter = async (quarter: string) =>
  expect((await post(t, t.operatorKey, '/api/v1/disclosures/compile', { quarter })).status).toBe(202);
/** Waits until every job written so far is done (compilations, notifications). */
const jobsDone = () =>
  eventually(async () => {
    const { outbox } = await jobs.health();
    return outbox.every((row) => row.status === 'done' || row.status === 'failed') && outbox.length > 0;
  }, 'jobs done');
const loan = (bank: Bank, principal: string, disbursedOn: string) =>
  createLoan(t, bank.apiKey, { principal, disbursedOn, maturesOn: '2025-12-31' });
const newBank = (prefix: string) => createInstitution(t, { code: uniqueCode(prefix) });

let bankA: Bank;
let leftOut: { id: string; loanRef: string };
let covered: { id: string; loanRef: string };

describe('a partial approval covers whole loans', () => {
  it('when 600,000.00 of a 1,200,000.00 request over two loans of 1,000,000.00 is approved, then one loan is covered and the quarter counts 100.00 万元', async () => {
    bankA = await newBank('WL');
    covered = await loan(bankA, '1000000.00', '2022-08-01');
    leftOut = await loan(bankA, '1000000.00', '2022-08-02');
    const application = await apply(t, bankA.apiKey, { operation: '2022Q4', loanRefs: [covered.loanRef, leftOut.loanRef] });
    expect(application.requested).toBe('1200000.00');

    const tiny = await post(t, t.operatorKey, `/api/v1/applications/${application.id}/approve`, { reason: 'r', amount: '0.01' });
    expect(tiny.status).toBe(422);
    expect(tiny.body).toMatchObject({ code: 'approval_covers_no_loan', errors: [{ path: 'amount', code: 'approval_covers_no_loan' }] });
    expect(tiny.body.detail).toContain("the smallest loan's support is 600000.00");
    expect((await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body).toMatchObject({
      status: 'submitted',
      approved: null,
    });

    const approved = await approve(t, t.operatorKey, application.id, '600000.00');
    expect(approved).toMatchObject({ status: 'approved', approved: '600000.00' });
    const detail = (await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body;
    expect(detail.loans.map((l: { loanId: string; covered: boolean }) => [l.loanId, l.covered])).toEqual([
      [covered.id, true],
      [leftOut.id, false],
    ]);
    expect((await get(t, t.operatorKey, '/api/v1/operations/2022Q4')).body).toMatchObject({ approved: '600000.00' });

    await compileQuarter('2022Q3');
    const v1 = await eventually(async () => {
      const r = await get(t, bankA.apiKey, D(bankA, '2022Q3'));
      return r.status === 200 ? r.body : undefined;
    }, 'the 2022Q3 disclosure');
    expect(v1).toMatchObject({ version: 1, reason: null, addedLoanIds: [], basis: { loans: 1 } });
    expect(v1.horizons.quarter).toMatchObject({
      projects: 1,
      loanAmountWanYuan: '100.00',
      weightedAverageRatePercent: '3.80',
      annualReductionTonnes: '262.50',
    });
  });

  it('when the order of the listed loans puts a larger loan first, then the approval skips it and covers the later loan that fits', async () => {
    const bank = await newBank('WO');
    const big = await loan(bank, '2000000.00', '2022-10-03'); // support 1,200,000.00
    const small = await loan(bank, '500000.00', '2022-10-02'); // support 300,000.00
    const application = await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [big.loanRef, small.loanRef] });
    expect(await approve(t, t.operatorKey, application.id, '1000000.00')).toMatchObject({ approved: '300000.00' });
    const detail = (await get(t, t.operatorKey, `/api/v1/applications/${application.id}`)).body;
    expect(Object.fromEntries(detail.loans.map((l: { loanId: string; covered: boolean }) => [l.loanId, l.covered]))).toEqual({
      [big.id]: false,
      [small.id]: true,
    });
    // the loan left out is free for a later application
    const later = await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [big.loanRef] });
    expect(later.requested).toBe('1200000.00');
    await post(t, t.operatorKey, `/api/v1/applications/${later.id}/reject`, { reason: 'not this quarter' }).expect(200);
  });
});

describe('support after compile', () => {
  let bankB: Bank;

  it('when a loan disbursed on 2022-09-28 is supported in the 2022Q4 operation after 2022Q3 was compiled without it, then 2022Q3 is compiled by itself with reason support_after_compile', async () => {
    bankB = await newBank('LATE');
    const september = await loan(bankB, '1000000.00', '2022-09-28');
    const october = await loan(bankB, '500000.00', '2022-10-09');
    // 2022Q3 was compiled (previous test) while this bank had nothing to count
    expect((await get(t, bankB.apiKey, D(bankB, '2022Q3'))).status).toBe(404);
    const application = await apply(t, bankB.apiKey, { operation: '2022Q4', loanRefs: [september.loanRef, october.loanRef] });
    await approve(t, t.operatorKey, application.id);

    // compiled in the approval's own transaction: there at once
    const v1 = await disclosure(bankB, '2022Q3');
    expect(v1).toMatchObject({
      version: 1,
      status: 'compiled',
      reason: 'support_after_compile',
      addedLoanIds: [september.id],
      previousVersion: null,
      restatesVersion: null,
      basis: { loans: 1 },
    });
    expect(v1.horizons.quarter).toMatchObject({ projects: 1, loanAmountWanYuan: '100.00', annualReductionTonnes: '262.50' });
    expect(v1.horizons.yearToDate).toMatchObject({ loanAmountWanYuan: '100.00' });
    // 2022Q4 has not ended: nothing compiled for it yet
    expect((await get(t, bankB.apiKey, D(bankB, '2022Q4'))).status).toBe(404);
  });

  it('when a compiled version is under verification and support arrives for its quarter, then a corrected version supersedes it and the verification is withdrawn', async () => {
    const D3 = D(bankA, '2022Q3');
    await post(t, bankA.apiKey, `${D3}/submit`).expect(200);
    await post(t, t.operatorKey, `${D3}/assign`, { verifier: verifier.code }).expect(200);
    const [assignment] = (await get(t, verifier.apiKey, '/api/v1/verification/assignments?open=true')).body.items;
    expect(assignment.disclosure).toMatchObject({ institution: bankA.code, version: 1 });

    // the loan the partial approval left out is listed again and approved in full
    const again = await apply(t, bankA.apiKey, { operation: '2022Q4', loanRefs: [leftOut.loanRef] });
    await approve(t, t.operatorKey, again.id);

    const v2 = await disclosure(bankA, '2022Q3');
    expect(v2).toMatchObject({
      version: 2,
      status: 'compiled',
      reason: 'support_after_compile',
      addedLoanIds: [leftOut.id],
      previousVersion: 1,
      restatesVersion: null,
      basis: { loans: 2 },
    });
    expect(v2.horizons.quarter).toMatchObject({ projects: 2, loanAmountWanYuan: '200.00', annualReductionTonnes: '525.00' });
    expect(await disclosure(bankA, '2022Q3', 1)).toMatchObject({
      status: 'superseded',
      horizons: { quarter: { loanAmountWanYuan: '100.00' } },
    });

    const withdrawn = (await get(t, verifier.apiKey, `/api/v1/verification/assignments/${assignment.id}`)).body;
    expect(withdrawn).toMatchObject({ verdict: null, completedOn: '2022-10-10' });
    expect(withdrawn.summary).toContain('withdrawn: version 2 supersedes version 1');
    expect((await get(t, verifier.apiKey, '/api/v1/verification/assignments?open=true')).body.items).toEqual([]);
    const late = await post(t, verifier.apiKey, `${D3}/findings`, {
      findings: [{ loanId: covered.id, check: 'amount', outcome: 'pass' }],
    });
    // the disclosure's latest version (2) has no assignment of this verifier
    expect(late.status).toBe(404);
    expect(late.body.code).toBe('not_found');
    // the corrected version goes through the workflow
    expect((await post(t, bankA.apiKey, `${D3}/submit`)).body).toMatchObject({ version: 2, status: 'submitted' });
  });

  it('when a published version exists and support arrives for its quarter, then the quarter is restated by itself', async () => {
    const bank = await newBank('RS');
    const first = await loan(bank, '3000000.00', '2022-09-01');
    const second = await loan(bank, '2000000.00', '2022-09-15');
    await approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [first.loanRef] })).id);
    const D3 = D(bank, '2022Q3');
    expect(await disclosure(bank, '2022Q3')).toMatchObject({ version: 1, reason: 'support_after_compile' });
    await post(t, bank.apiKey, `${D3}/submit`).expect(200);
    await post(t, t.operatorKey, `${D3}/assign`, { verifier: verifier.code }).expect(200);
    const [assignment] = (await get(t, verifier.apiKey, '/api/v1/verification/assignments?open=true')).body.items;
    const sample = (await get(t, verifier.apiKey, `/api/v1/verification/assignments/${assignment.id}`)).body.sample as { loanId: string }[];
    await post(t, verifier.apiKey, `${D3}/findings`, {
      findings: sample.map((s) => ({ loanId: s.loanId, check: 'amount', outcome: 'pass' })),
    }).expect(201);
    await post(t, verifier.apiKey, `${D3}/verdict`, { verdict: 'verified', summary: '抽样核验无误' }).expect(200);
    await eventually(async () => (await disclosure(bank, '2022Q3')).status === 'published', 'publication');

    await approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [second.loanRef] })).id);
    const v2 = await disclosure(bank, '2022Q3');
    expect(v2).toMatchObject({
      version: 2,
      status: 'compiled',
      reason: 'support_after_compile',
      addedLoanIds: [second.id],
      previousVersion: 1,
      restatesVersion: 1,
    });
    expect(v2.horizons.quarter.loanAmountWanYuan).toBe('500.00');
    expect(await disclosure(bank, '2022Q3', 1)).toMatchObject({ status: 'published', restatedBy: 2 });
    // the public still sees the published figures until the restatement is verified and published
    const open = await request(t.app).get(D3);
    expect(open.body).toMatchObject({ version: 1, status: 'published', horizons: { quarter: { loanAmountWanYuan: '300.00' } } });
  });

  it('when a verified version awaits its publication and support arrives for its quarter, then it is published and restated at once', async () => {
    const bank = await newBank('VF');
    const first = await loan(bank, '1000000.00', '2022-09-02');
    const second = await loan(bank, '1000000.00', '2022-09-03');
    await approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [first.loanRef] })).id);
    const D3 = D(bank, '2022Q3');
    await post(t, bank.apiKey, `${D3}/submit`).expect(200);
    await post(t, t.operatorKey, `${D3}/assign`, { verifier: verifier.code }).expect(200);
    await post(t, verifier.apiKey, `${D3}/findings`, { findings: [{ loanId: first.id, check: 'amount', outcome: 'pass' }] }).expect(201);
    // no workers: the publication the verdict implies waits in the outbox
    await stopJobs(jobs);
    await post(t, verifier.apiKey, `${D3}/verdict`, { verdict: 'verified', summary: '无误' }).expect(200);
    expect((await disclosure(bank, '2022Q3')).status).toBe('verified');

    await approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [second.loanRef] })).id);
    expect(await disclosure(bank, '2022Q3', 1)).toMatchObject({ status: 'published', publishedOn: '2022-10-10', restatedBy: 2 });
    expect(await disclosure(bank, '2022Q3')).toMatchObject({
      version: 2,
      status: 'compiled',
      reason: 'support_after_compile',
      addedLoanIds: [second.id],
      restatesVersion: 1,
      horizons: { quarter: { loanAmountWanYuan: '200.00' } },
    });
    // the publication job, once workers run again, finds its version published
    jobs = await startJobs(t);
    await jobsDone();
    expect(await disclosure(bank, '2022Q3', 1)).toMatchObject({ status: 'published' });
  });

  it('when a quarter is allocated and a share covers loans of a compiled quarter, then that quarter is compiled by itself as well', async () => {
    const bank = await newBank('AL');
    const july = await loan(bank, '100000.00', '2022-07-20');
    const application = await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [july.loanRef] });
    const res = await post(t, t.operatorKey, '/api/v1/operations/2022Q4/allocate');
    expect(res.status).toBe(200);
    expect(res.body.applications).toEqual([expect.objectContaining({ id: application.id, allocated: '60000.00', approved: '60000.00' })]);
    expect(await disclosure(bank, '2022Q3')).toMatchObject({ version: 1, reason: 'support_after_compile', addedLoanIds: [july.id] });
  });

  it('when an approved application is rejected before its disbursement after its quarter was compiled, then the quarter is compiled again without its loans (reason support_withdrawn)', async () => {
    const bank = await newBank('WD');
    const kept = await loan(bank, '1000000.00', '2022-08-10');
    const withdrawn = await loan(bank, '2000000.00', '2022-08-11');
    await approve(t, t.operatorKey, (await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [kept.loanRef] })).id);
    const second = await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [withdrawn.loanRef] });
    await approve(t, t.operatorKey, second.id);
    expect(await disclosure(bank, '2022Q3')).toMatchObject({
      version: 2,
      basis: { loans: 2 },
      horizons: { quarter: { loanAmountWanYuan: '300.00' } },
    });

    await post(t, t.operatorKey, `/api/v1/applications/${second.id}/reject`, { reason: '抵押品不足，撤回批准' }).expect(200);
    const v3 = await disclosure(bank, '2022Q3');
    expect(v3).toMatchObject({
      version: 3,
      status: 'compiled',
      reason: 'support_withdrawn',
      addedLoanIds: [],
      previousVersion: 2,
      basis: { loans: 1 },
    });
    expect(v3.horizons.quarter).toMatchObject({ projects: 1, loanAmountWanYuan: '100.00' });
    expect(await disclosure(bank, '2022Q3', 2)).toMatchObject({ status: 'superseded' });
    // the withdrawn loan is free for a later application
    expect((await apply(t, bank.apiKey, { operation: '2022Q4', loanRefs: [withdrawn.loanRef] })).requested).toBe('1200000.00');
  });

  it("when 2022Q4 is compiled after the year ends, then 2022Q3's and 2022Q4's quarter amounts add up to 2022Q4's year to date", async () => {
    t.setNow('2023-01-05T02:00:00Z');
    await compileQuarter('2022Q4');
    await jobsDone();
    const q3 = await disclosure(bankB, '2022Q3');
    const q4 = await eventually(async () => {
      const r = await get(t, bankB.apiKey, D(bankB, '2022Q4'));
      return r.status === 200 ? r.body : undefined;
    }, 'the 2022Q4 disclosure');
    // the September loan belongs to 2022Q3: left out of 2022Q4's quarter figure, counted in its year to date
    expect(q4.horizons.quarter as Figures).toMatchObject({ projects: 1, loanAmountWanYuan: '50.00', annualReductionTonnes: '131.25' });
    expect(q4.horizons.yearToDate as Figures).toMatchObject({ projects: 2, loanAmountWanYuan: '150.00', annualReductionTonnes: '393.75' });
    const wan = (f: Figures) => Number(f.loanAmountWanYuan);
    const t2 = (f: Figures) => Number(f.annualReductionTonnes);
    expect(wan(q3.horizons.quarter) + wan(q4.horizons.quarter)).toBe(wan(q4.horizons.yearToDate));
    expect(t2(q3.horizons.quarter) + t2(q4.horizons.quarter)).toBe(t2(q4.horizons.yearToDate));
    expect(q3.horizons.yearToDate).toEqual(q3.horizons.quarter); // nothing in 2022Q1 and 2022Q2
  });
});
