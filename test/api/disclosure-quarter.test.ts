import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { sha256OfCanonical } from '../../domain/disclosures/canonical.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };
let verifier: { id: string; code: string; apiKey: string };

const yuanToFen = (y: string) => BigInt(y.replace('.', ''));

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: uniqueCode('HAND'), nameZh: '手算银行', nameEn: 'Hand Bank' });
  verifier = await createInstitution(t, { code: uniqueCode('VER'), kind: 'verifier', nameZh: '某核验机构', nameEn: 'Some Verifier' });
  const p1 = {
    ref: 'P1',
    name: '某某风电项目',
    subArea: 'CE.WIND',
    totalInvestment: '800000000.00',
    annualReductionTonnes: '210000.00',
    evidence: { title: '可行性研究报告', sha256: 'a'.repeat(64) },
  };
  const p2 = {
    ref: 'P2',
    name: '某某光伏项目',
    subArea: 'CE.SOLAR',
    totalInvestment: '100000000.00',
    annualReductionTonnes: '30000.00',
    evidence: { title: '环评报告', sha256: 'b'.repeat(64) },
  };
  const p3 = {
    ref: 'P3',
    name: '某某工业能效项目',
    subArea: 'EE.INDUSTRIAL',
    totalInvestment: '300000000.00',
    annualReductionTonnes: '45000.00',
    evidence: { title: '第三方评估报告', sha256: 'c'.repeat(64) },
  };
  const loan = async (project: typeof p1, principal: string, rate: string, disbursedOn: string) => ({
    id: await submitLoan(t, bank.apiKey, { project, principal, annualRatePercent: rate, disbursedOn, maturesOn: '2032-01-01' }),
    principalFen: yuanToFen(principal),
  });
  const l1 = await loan(p1, '300000000.00', '3.80', '2022-08-15'); // quarter
  const l2 = await loan(p2, '50000000.00', '4.10', '2022-09-30'); // quarter, last day
  const l3 = await loan(p3, '100000000.00', '3.50', '2022-03-10'); // year to date
  const l4 = await loan(p1, '100000000.00', '4.00', '2021-12-20'); // since first support
  const l5 = await loan(p2, '20000000.00', '3.90', '2022-10-01'); // after the quarter: never counted
  const l6 = await loan(p3, '60000000.00', '3.70', '2022-07-05'); // no support: not counted
  const l7 = await loan(p3, '40000000.00', '3.60', '2022-07-06'); // support rejected: not counted
  await supportLoans(t, bank.id, [l1, l2, l3, l4, l5], 'approved');
  await supportLoans(t, bank.id, [l7], 'rejected');
  void l6;
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

// Expected figures, by hand:
// quarter: L1 300,000,000 @3.80 (P1) + L2 50,000,000 @4.10 (P2)
//   amount 350,000,000 yuan = 35000.00 万元; rate (3.80×300 + 4.10×50)/350 = 1345/350 = 3.8428… → 3.84
//   reduction 210000×300/800 + 30000×50/100 = 78750 + 15000 = 93750.00
// year to date: + L3 100,000,000 @3.50 (P3): 45000.00 万元; (1345 + 350)/450 = 3.7666… → 3.77;
//   + 45000×100/300 = 15000 → 108750.00; 3 projects
// since first support: + L4 100,000,000 @4.00 (P1 again): 55000.00 万元; (1695 + 400)/550 = 3.8090… → 3.81;
//   + 210000×100/800 = 26250 → 135000.00; still 3 distinct projects
// clean energy since support: L1, L2, L4: 45000.00 万元, (1140 + 205 + 400)/450 = 3.8777… → 3.88, 120000.00
describe('a full quarter, from loans to a published disclosure', () => {
  it('when the operator compiles 2022Q3, then the bank gets a disclosure with the figures computed by hand', async () => {
    const res = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ jobId: 'compile-quarter.2022Q3', new: true, banks: [bank.code] });

    const d = await eventually(async () => {
      const r = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'compiled disclosure');
    expect(d.status).toBe('compiled');
    expect(d.version).toBe(1);
    expect(d.horizons).toMatchObject({
      quarter: { projects: 2, loanAmountWanYuan: '35000.00', weightedAverageRatePercent: '3.84', annualReductionTonnes: '93750.00' },
      yearToDate: { projects: 3, loanAmountWanYuan: '45000.00', weightedAverageRatePercent: '3.77', annualReductionTonnes: '108750.00' },
      sinceInception: {
        projects: 3,
        loanAmountWanYuan: '55000.00',
        weightedAverageRatePercent: '3.81',
        annualReductionTonnes: '135000.00',
      },
    });
    expect(d.byArea.map((a: { area: string }) => a.area)).toEqual(['clean_energy', 'energy_saving_environmental_protection']);
    expect(d.byArea[0].sinceInception).toMatchObject({
      projects: 2,
      loanAmountWanYuan: '45000.00',
      weightedAverageRatePercent: '3.88',
      annualReductionTonnes: '120000.00',
    });
    expect(d.byArea[1].quarter).toMatchObject({
      projects: 0,
      loanAmountWanYuan: '0.00',
      weightedAverageRatePercent: null,
      annualReductionTonnes: '0.00',
    });
    expect(d.byArea[1].yearToDate).toMatchObject({
      projects: 1,
      loanAmountWanYuan: '10000.00',
      weightedAverageRatePercent: '3.50',
      annualReductionTonnes: '15000.00',
    });
    expect(d.topProjects).toEqual([
      { ref: 'P1', name: '某某风电项目', area: 'clean_energy', annualReductionTonnes: '78750.00' },
      { ref: 'P2', name: '某某光伏项目', area: 'clean_energy', annualReductionTonnes: '15000.00' },
    ]);
    expect(d.statement.zh).toContain(
      '2022年第三季度，手算银行在碳减排支持工具支持下，合计向2个项目发放碳减排贷款35000.00万元，贷款加权平均利率3.84%，带动的年度碳减排量为93750.00吨二氧化碳当量。',
    );
    expect(d.statement.zh).toContain('获得碳减排支持工具支持以来，手算银行累计向3个项目发放碳减排贷款55000.00万元');
    expect(d.statement.zh).toContain('不存在虚假记载、重大遗漏或误导性陈述');
    expect(d.statement.en).toContain('RMB 45000.00 ten-thousand yuan (万元) to 3 projects, at a weighted average interest rate of 3.77%');
    const { institution, quarter, version, period, horizons, byArea, topProjects, statement, basis, previousVersion, restatesVersion } = d;
    // the content also names the statement format, the named projects, the frozen loan set and the change's reason
    const { format, namedProjects, loanSet, changeReason } = d;
    expect(loanSet).toEqual({ loans: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(
      sha256OfCanonical({
        format,
        namedProjects,
        loanSet,
        changeReason,
        institution,
        quarter,
        version,
        period,
        horizons,
        byArea,
        topProjects,
        statement,
        basis,
        previousVersion,
        restatesVersion,
      }),
    ).toBe(d.contentSha256);
  });

  it('when the public asks before publication, then the draft is not visible; a second compile adds no version', async () => {
    const anon = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`);
    expect(anon.status).toBe(404);
    const again = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(again.status).toBe(202);
    await eventually(
      async () => (await jobs.health()).outbox.every((row) => row.status === 'done' || row.queue !== 'compile'),
      'second run done',
    );
    const versions = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3/versions`).set(bearer(t.operatorKey));
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    const notEnded = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q4' });
    expect(notEnded.status).toBe(409);
    expect(notEnded.body.code).toBe('quarter_not_ended');
  });

  it('when the bank submits and the operator assigns, then the verifier checks its sample and the verified disclosure is published', async () => {
    const publishEarly = await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/publish`).set(bearer(t.operatorKey));
    expect(publishEarly.status).toBe(409);
    expect(publishEarly.body).toMatchObject({ code: 'illegal_transition', currentStatus: 'compiled' });

    const submitted = await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/submit`).set(bearer(bank.apiKey));
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    const twice = await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/submit`).set(bearer(bank.apiKey));
    expect(twice.status).toBe(409);
    expect(twice.body.currentStatus).toBe('submitted');

    const assigned = await request(t.app)
      .post(`/api/v1/disclosures/${bank.code}/2022Q3/assign`)
      .set(bearer(t.operatorKey))
      .send({ verifier: verifier.code, seed: 'q3-seed', materialityThreshold: '200000000.00', randomSampleSize: 2 });
    expect(assigned.status).toBe(200);
    expect(assigned.body.status).toBe('under_verification');

    const queue = await request(t.app).get('/api/v1/verification/assignments').set(bearer(verifier.apiKey));
    expect(queue.body.items).toHaveLength(1);
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${queue.body.items[0].id}`).set(bearer(verifier.apiKey));
    // L1 (300,000,000) is above the 200,000,000 threshold; two of the other three counted loans are drawn
    expect(detail.body.sample).toHaveLength(3);
    expect(detail.body.sample[0]).toMatchObject({
      reason: 'material',
      snapshot: { principal: '300000000.00', attributedAnnualReductionTonnes: '78750.00' },
    });
    expect(detail.body.sample.filter((s: { reason: string }) => s.reason === 'random')).toHaveLength(2);

    const early = await request(t.app)
      .post(`/api/v1/disclosures/${bank.code}/2022Q3/verdict`)
      .set(bearer(verifier.apiKey))
      .send({ verdict: 'verified', summary: 'ok' });
    expect(early.status).toBe(422);
    expect(early.body.errors[0].code).toBe('sample_not_checked');

    const findings = detail.body.sample.flatMap((s: { loanId: string }) =>
      ['area', 'amount', 'rate', 'reduction', 'evidence'].map((check) => ({ loanId: s.loanId, check, outcome: 'pass' })),
    );
    const recorded = await request(t.app)
      .post(`/api/v1/disclosures/${bank.code}/2022Q3/findings`)
      .set(bearer(verifier.apiKey))
      .send({ findings });
    expect(recorded.status).toBe(201);
    const verdict = await request(t.app)
      .post(`/api/v1/disclosures/${bank.code}/2022Q3/verdict`)
      .set(bearer(verifier.apiKey))
      .send({ verdict: 'verified', summary: '抽样核验无误' });
    expect(verdict.status).toBe(200);
    expect(verdict.body.status).toBe('verified');

    const published = await eventually(async () => {
      const r = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`);
      return r.status === 200 ? r.body : undefined;
    }, 'automatic publication');
    expect(published.status).toBe('published');
    expect(published.publishedOn).toBe('2022-10-10');
    expect(published.verification).toMatchObject({ verifier: verifier.code, verdict: 'verified', completedOn: '2022-10-10' });
    const report = await request(t.app).get(`/api/v1/verification/assignments/${queue.body.items[0].id}/report`).set(bearer(bank.apiKey));
    expect(report.status).toBe(200);
    expect(report.body.report.disclosure.contentSha256).toBe(published.contentSha256);
    expect(sha256OfCanonical(report.body.report)).toBe(report.body.reportSha256);

    const list = await request(t.app).get(`/api/v1/disclosures?quarter=2022Q3&institution=${bank.code}`);
    expect(list.body.items.map((i: { version: number; status: string }) => [i.version, i.status])).toEqual([[1, 'published']]);
    const again = await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/publish`).set(bearer(t.operatorKey));
    expect(again.status).toBe(409);
    expect(again.body.currentStatus).toBe('published');
  });

  it('when a published disclosure is restated, then a new version links to it and the published one is unchanged', async () => {
    const before = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`);
    const restate = await request(t.app)
      .post(`/api/v1/disclosures/${bank.code}/2022Q3/versions`)
      .set(bearer(bank.apiKey))
      .send({ reason: 'a loan contract was corrected' });
    expect(restate.status).toBe(202);
    expect(restate.body).toMatchObject({ version: 2, kind: 'restatement' });
    const v2 = await eventually(async () => {
      const r = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3?version=2`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'restatement compiled');
    expect(v2).toMatchObject({ version: 2, status: 'compiled', restatesVersion: 1, previousVersion: 1 });
    expect(v2.statement.zh).toContain('更正披露');
    const publicView = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`);
    expect(publicView.body.version).toBe(1);
    expect(publicView.body.restatedBy).toBe(2);
    expect(publicView.body.contentSha256).toBe(before.body.contentSha256);
    expect(publicView.body.horizons).toEqual(before.body.horizons);
  });

  it('when versions are listed a page at a time, then the bank sees its draft and the public only the published one', async () => {
    const first = await request(t.app).get(`/api/v1/disclosures?institution=${bank.code}&limit=1`).set(bearer(bank.apiKey));
    expect(first.body.items.map((i: { version: number }) => i.version)).toEqual([2]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(t.app)
      .get(`/api/v1/disclosures?institution=${bank.code}&limit=1&cursor=${first.body.nextCursor}`)
      .set(bearer(bank.apiKey));
    expect(second.body.items.map((i: { version: number }) => i.version)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
    const publicList = await request(t.app).get(`/api/v1/disclosures?institution=${bank.code}`);
    expect(publicList.body.items.map((i: { version: number }) => i.version)).toEqual([1]);
    const otherBank = await createInstitution(t, { code: uniqueCode('OTH') });
    const peek = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3?version=2`).set(bearer(otherBank.apiKey));
    expect(peek.status).toBe(404);
    const badCursor = await request(t.app).get('/api/v1/disclosures?cursor=nonsense');
    expect(badCursor.status).toBe(422);
  });
});
