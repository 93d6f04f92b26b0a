/**
 * The bank's own statement: its format (Bank of Shangrao's 2023Q2 statement, figures as published:
 * "10000万元", "4.2%", "24428", "4.14%"), the projects it names, the frozen list of counted loans the
 * verifier samples from (with the sample's coverage), the method behind each reduction figure, and a
 * restatement with its reason and its difference from the version it restates.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };
let verifier: { id: string; code: string; apiKey: string };
const D = () => `/api/v1/disclosures/${bank.code}/2023Q2`;
const yuanToFen = (y: string) => BigInt(y.replace('.', ''));

const QIANSHAN = {
  ref: 'SR-PV-64',
  name: '铅山县64兆瓦集中式光伏电站建设项目',
  subArea: 'CE.SOLAR',
  totalInvestment: '100000000.00',
  annualReductionTonnes: '24428.00',
  reductionBasis: 'feasibility_study' as const,
};
const SECOND = {
  ref: 'SR-EE-2',
  name: '某工业节能改造项目',
  subArea: 'EE.INDUSTRIAL',
  totalInvestment: '15000000.00',
  annualReductionTonnes: '18246.43',
  reductionBasis: 'environmental_impact_assessment' as const,
};

async function loan(project: object, principal: string, rate: string, disbursedOn: string) {
  const id = await submitLoan(t, bank.apiKey, { project, principal, annualRatePercent: rate, disbursedOn, maturesOn: '2030-01-01' });
  return { id, principalFen: yuanToFen(principal) };
}

/** Submits, assigns, checks every sampled loan and verifies: the publish job publishes the version. */
async function publishLatest(version: number) {
  await request(t.app).post(`${D()}/submit`).set(bearer(bank.apiKey)).send({}).expect(200);
  await request(t.app)
    .post(`${D()}/assign`)
    .set(bearer(t.operatorKey))
    .send({ verifier: verifier.code, seed: `seed-${version}`, materialityThreshold: '50000000.00', randomSampleSize: 1 })
    .expect(200);
  const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(verifier.apiKey));
  const assignment = queue.body.items.find((i: { disclosure: { version: number } }) => i.disclosure.version === version);
  const detail = await request(t.app).get(`/api/v1/verification/assignments/${assignment.id}`).set(bearer(verifier.apiKey));
  const findings = detail.body.sample.flatMap((s: { loanId: string }) =>
    ['area', 'amount', 'rate', 'reduction', 'evidence'].map((check) => ({ loanId: s.loanId, check, outcome: 'pass' })),
  );
  await request(t.app).post(`${D()}/findings`).set(bearer(verifier.apiKey)).send({ findings }).expect(201);
  await request(t.app)
    .post(`${D()}/verdict`)
    .set(bearer(verifier.apiKey))
    .send({ verdict: 'verified', summary: '抽样核验无误' })
    .expect(200);
  await eventually(async () => {
    const r = await request(t.app).get(`${D()}?version=${version}`);
    return r.status === 200 && r.body.status === 'published';
  }, `version ${version} published`);
  return { assignmentId: assignment.id as string, sample: detail.body.sample as { loanId: string }[] };
}

beforeAll(async () => {
  t = await createTestApp({ now: '2023-08-01T02:00:00Z' });
  jobs = await startJobs(t);
  bank = await createInstitution(t, { code: uniqueCode('BOSR'), nameZh: '上饶银行', nameEn: 'Bank of Shangrao' });
  verifier = await createInstitution(t, { code: uniqueCode('VER'), kind: 'verifier', nameZh: '某核验机构', nameEn: 'Some Verifier' });
  const a = await loan(QIANSHAN, '100000000.00', '4.20', '2023-05-10');
  const b = await loan(SECOND, '15000000.00', '3.74', '2023-02-10');
  await supportLoans(t, bank.id, [a, b], 'approved');
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe("a bank's statement format", () => {
  it('when a setting has decimals out of range, then it is refused naming each field and the rule', async () => {
    const res = await request(t.app)
      .put(`/api/v1/institutions/${bank.code}/statement-format`)
      .set(bearer(bank.apiKey))
      .send({ amountDecimals: 5, rateDecimals: 0, reductionDecimals: 2 });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: 'amountDecimals', code: 'decimals_out_of_range' }),
      expect.objectContaining({ path: 'rateDecimals', code: 'decimals_out_of_range' }),
    ]);
    const variant = await request(t.app)
      .put(`/api/v1/institutions/${bank.code}/statement-format`)
      .set(bearer(bank.apiKey))
      .send({ variant: 'C' });
    expect(variant.status).toBe(422);
    expect(variant.body.errors[0].path).toBe('variant');
    const other = await createInstitution(t, { code: uniqueCode('OTH') });
    const foreign = await request(t.app)
      .put(`/api/v1/institutions/${bank.code}/statement-format`)
      .set(bearer(other.apiKey))
      .send({ trimTrailingZeros: true });
    expect(foreign.status).toBe(404);
  });

  it('when Shangrao sets its format, then its 2023Q2 statement prints its figures exactly as it published them', async () => {
    const set = await request(t.app)
      .put(`/api/v1/institutions/${bank.code}/statement-format`)
      .set(bearer(bank.apiKey))
      .send({ effectiveFrom: '2023-01-01', trimTrailingZeros: true });
    expect(set.status).toBe(200);
    expect(set.body.setting).toMatchObject({ effectiveFrom: '2023-01-01', amountDecimals: 2, trimTrailingZeros: true, variant: 'A' });
    const seen = await request(t.app).get(`/api/v1/institutions/${bank.code}/statement-format`).set(bearer(t.operatorKey));
    expect(seen.body.history).toHaveLength(1);

    await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2023Q2' }).expect(202);
    const d = await eventually(async () => {
      const r = await request(t.app).get(D()).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'compiled 2023Q2');
    expect(d.statement.zh).toContain(
      '2023年第二季度，上饶银行在碳减排支持工具支持下，合计向1个项目发放碳减排贷款10000万元，贷款加权平均利率4.2%，带动的年度碳减排量为24428吨二氧化碳当量。',
    );
    expect(d.statement.zh).toContain(
      '本年度，上饶银行累计向2个项目发放碳减排贷款11500万元，贷款加权平均利率4.14%，带动的年度碳减排量为42674.43吨二氧化碳当量。',
    );
    expect(d.statement.zh).toContain(
      '获得碳减排支持工具支持以来，上饶银行累计向2个项目发放碳减排贷款11500万元，贷款加权平均利率4.14%，带动的年度碳减排量为42674.43吨二氧化碳当量。',
    );
    expect(d.statement.en).toContain('RMB 10000 ten-thousand yuan (万元) to 1 project, at a weighted average interest rate of 4.2%');
    // the JSON's figures print in the bank's format, the exact figures beside them
    expect(d.horizons.quarter).toMatchObject({
      projects: 1,
      loanAmountWanYuan: '10000',
      weightedAverageRatePercent: '4.2',
      annualReductionTonnes: '24428',
      exact: { loanAmountWanYuan: '10000.000000', weightedAverageRatePercent: '4.2000', annualReductionTonnes: '24428.0000' },
    });
    expect(d.horizons.yearToDate).toMatchObject({ loanAmountWanYuan: '11500', weightedAverageRatePercent: '4.14' });
    expect(d.format).toMatchObject({ effectiveFrom: '2023-01-01', trimTrailingZeros: true });
    expect(d.loanSet).toEqual({ loans: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('when each figure states its method, then the shares come from the projects’ reduction basis and add up to 100', async () => {
    const d = (await request(t.app).get(D()).set(bearer(bank.apiKey))).body;
    expect(d.horizons.quarter.reductionMethods).toEqual({
      feasibility_study: '100.00',
      environmental_impact_assessment: '0.00',
      third_party_assessment: '0.00',
    });
    // 24428 / 42674.43 = 57.2427…%, 18246.43 / 42674.43 = 42.7572…%: apportioned to 100.00
    expect(d.horizons.yearToDate.reductionMethods).toEqual({
      feasibility_study: '57.24',
      environmental_impact_assessment: '42.76',
      third_party_assessment: '0.00',
    });
  });
});

describe('named projects', () => {
  it('when the bank names a project its disclosure does not count, or too many, then it is refused naming the field and rule', async () => {
    const notCounted = await request(t.app)
      .put(`${D()}/named-projects`)
      .set(bearer(bank.apiKey))
      .send({ projects: [QIANSHAN.ref, 'NO-SUCH-PROJECT'] });
    expect(notCounted.status).toBe(422);
    expect(notCounted.body.errors).toEqual([expect.objectContaining({ path: 'projects.1', code: 'named_project_not_counted' })]);
    const twice = await request(t.app)
      .put(`${D()}/named-projects`)
      .set(bearer(bank.apiKey))
      .send({ projects: [QIANSHAN.ref, QIANSHAN.ref] });
    expect(twice.body.errors).toEqual([expect.objectContaining({ path: 'projects.1', code: 'duplicate_project' })]);
    const four = await request(t.app)
      .put(`${D()}/named-projects`)
      .set(bearer(bank.apiKey))
      .send({ projects: ['a', 'b', 'c', 'd'] });
    expect(four.status).toBe(422);
    expect(four.body.errors[0].path).toBe('projects');
    const byOperator = await request(t.app).put(`${D()}/named-projects`).set(bearer(t.operatorKey)).send({ projects: [] });
    expect(byOperator.status).toBe(403);
  });

  it('when the bank names a counted project, then the statement carries the sentence and the content hash covers it', async () => {
    const before = (await request(t.app).get(D()).set(bearer(bank.apiKey))).body;
    const res = await request(t.app)
      .put(`${D()}/named-projects`)
      .set(bearer(bank.apiKey))
      .send({ projects: [QIANSHAN.ref] });
    expect(res.status).toBe(200);
    expect(res.body.namedProjects).toEqual([{ ref: QIANSHAN.ref, name: QIANSHAN.name }]);
    expect(res.body.statement.zh).toContain(
      '带动的年度碳减排量为24428吨二氧化碳当量。其中碳减排效应最为显著的项目为铅山县64兆瓦集中式光伏电站建设项目。',
    );
    expect(res.body.contentSha256).not.toBe(before.contentSha256);
    const none = await request(t.app).put(`${D()}/named-projects`).set(bearer(bank.apiKey)).send({ projects: [] });
    expect(none.body.statement.zh).not.toContain('最为显著');
    expect(none.body.contentSha256).toBe(before.contentSha256);
    await request(t.app)
      .put(`${D()}/named-projects`)
      .set(bearer(bank.apiKey))
      .send({ projects: [QIANSHAN.ref] })
      .expect(200);
  });
});

describe('the frozen loan set, the sample and its coverage', () => {
  let v1: { assignmentId: string; sample: { loanId: string }[] };

  it('when the version is verified and published, then the verifier saw the named projects and sampled from the frozen list', async () => {
    v1 = await publishLatest(1);
    const after = await request(t.app).put(`${D()}/named-projects`).set(bearer(bank.apiKey)).send({ projects: [] });
    expect(after.status).toBe(409);
    const seen = await request(t.app).get(`${D()}?version=1`).set(bearer(verifier.apiKey));
    expect(seen.body.namedProjects).toEqual([{ ref: QIANSHAN.ref, name: QIANSHAN.name }]);
    const report = await request(t.app).get(`/api/v1/verification/assignments/${v1.assignmentId}/report`).set(bearer(bank.apiKey));
    // the 100,000,000 loan is material (above 50,000,000), the other drawn: both of the two counted loans
    expect(report.body.report.coverage).toEqual({
      loans: { sampled: 2, total: 2, sharePercent: '100.00' },
      amount: { sampled: '115000000.00', total: '115000000.00', sharePercent: '100.00' },
      reduction: { sampledTonnes: '42674.43', totalTonnes: '42674.43', sharePercent: '100.00' },
    });
  });

  it('when the bank, its verifier or an operator reads the list, then it pages through the counted loans and its hash checks', async () => {
    const d = (await request(t.app).get(`${D()}?version=1`)).body;
    expect(d.loanSet).toEqual({ loans: 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const first = await request(t.app).get(`${D()}/loans?version=1&limit=1`).set(bearer(bank.apiKey));
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const second = await request(t.app).get(`${D()}/loans?version=1&limit=1&cursor=${first.body.nextCursor}`).set(bearer(verifier.apiKey));
    expect(second.body.nextCursor).toBeNull();
    const items = [...first.body.items, ...second.body.items];
    expect(items.map((i: { principal: string }) => i.principal).sort()).toEqual(['100000000.00', '15000000.00']);
    expect(items.find((i: { projectRef: string }) => i.projectRef === QIANSHAN.ref)).toMatchObject({
      annualRatePercent: '4.2000',
      attributedAnnualReductionTonnes: '24428.00',
      subArea: 'CE.SOLAR',
      area: 'clean_energy',
    });
    // anyone holding the list recomputes its hash: lines by loan id, tab-separated, fen / ppm / centitonnes
    const lines = items
      .map(
        (i: {
          loanId: string;
          loanRef: string;
          principal: string;
          annualRatePercent: string;
          attributedAnnualReductionTonnes: string;
          projectRef: string;
          subArea: string;
        }) =>
          [
            i.loanId,
            i.loanRef,
            yuanToFen(i.principal),
            BigInt(i.annualRatePercent.replace('.', '')) * 1n,
            yuanToFen(i.attributedAnnualReductionTonnes),
            JSON.stringify(i.projectRef),
            i.subArea,
          ].join('\t'),
      )
      .sort();
    expect(createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex')).toBe(d.loanSet.sha256);
    expect(v1.sample.map((s) => s.loanId).sort()).toEqual(items.map((i: { loanId: string }) => i.loanId).sort());

    const csv = await request(t.app).get(`${D()}/loans.csv?version=1`).set(bearer(t.operatorKey));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toContain('loanId,loanRef,principal,annualRatePercent');
    expect(csv.text).toContain('100000000.00');

    const anonymous = await request(t.app).get(`${D()}/loans`);
    expect(anonymous.status).toBe(401);
    const other = await createInstitution(t, { code: uniqueCode('OTH') });
    const foreign = await request(t.app).get(`${D()}/loans`).set(bearer(other.apiKey));
    expect(foreign.status).toBe(404);
    const otherVerifier = await createInstitution(t, { code: uniqueCode('VX'), kind: 'verifier' });
    const notAssigned = await request(t.app).get(`${D()}/loans`).set(bearer(otherVerifier.apiKey));
    expect(notAssigned.status).toBe(404);
  });
});

describe('a restatement with its reason and difference', () => {
  it('when a restatement is asked for without a reason, then it is refused naming the field and rule', async () => {
    const res = await request(t.app).post(`${D()}/versions`).set(bearer(bank.apiKey)).send({});
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'reason', code: 'required' })]);
    const blank = await request(t.app).post(`${D()}/versions`).set(bearer(bank.apiKey)).send({ reason: '  ' });
    expect(blank.status).toBe(422);
    expect(blank.body.errors[0].path).toBe('reason');
  });

  it('when a loan the bank had left out is restated in, then the new version stores its reason and the difference figure by figure and loan by loan', async () => {
    const added = await loan(
      {
        ...SECOND,
        ref: 'SR-TPA-3',
        name: '某分布式光伏项目',
        subArea: 'CE.SOLAR',
        reductionBasis: 'third_party_assessment',
        totalInvestment: '20000000.00',
        annualReductionTonnes: '1000.00',
      },
      '20000000.00',
      '3.90',
      '2023-06-20',
    );
    await supportLoans(t, bank.id, [added], 'approved');
    const res = await request(t.app).post(`${D()}/versions`).set(bearer(bank.apiKey)).send({ reason: '补充遗漏的一笔碳减排贷款' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ version: 2, kind: 'restatement' });
    const v2 = await eventually(async () => {
      const r = await request(t.app).get(`${D()}?version=2`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'restatement compiled');
    expect(v2).toMatchObject({ restatesVersion: 1, changeReason: '补充遗漏的一笔碳减排贷款', loanSet: { loans: 3 } });
    expect(v2.namedProjects).toEqual([{ ref: QIANSHAN.ref, name: QIANSHAN.name }]);
    expect(v2.difference.reason).toBe('补充遗漏的一笔碳减排贷款');
    expect(v2.difference.loans).toEqual([expect.objectContaining({ loanId: added.id, change: 'added' })]);
    expect(v2.difference.figures).toContainEqual({
      scope: 'total',
      horizon: 'quarter',
      figure: 'loanAmountWanYuan',
      from: '10000',
      to: '12000',
      exactFrom: '10000.000000',
      exactTo: '12000.000000',
    });
    expect(v2.difference.figures).toContainEqual(
      expect.objectContaining({ scope: 'total', horizon: 'quarter', figure: 'projects', from: '1', to: '2' }),
    );
    expect(v2.difference.figures.some((f: { horizon: string; figure: string }) => f.figure === 'annualReductionTonnes')).toBe(true);
    // the published version is unchanged
    const v1 = await request(t.app).get(`${D()}?version=1`);
    expect(v1.body.changeReason).toBeNull();
    expect(v1.body.difference).toBeNull();

    await publishLatest(2);
    const page = await request(t.app).get(`/disclosures/${bank.code}/2023Q2?lang=zh`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('补充遗漏的一笔碳减排贷款');
    expect(page.text).toContain('其中碳减排效应最为显著的项目为铅山县64兆瓦集中式光伏电站建设项目');
    const json = await request(t.app).get(`/disclosures/${bank.code}/2023Q2.json`);
    expect(json.body).toMatchObject({ version: 2, changeReason: '补充遗漏的一笔碳减排贷款', namedProjects: [{ ref: QIANSHAN.ref }] });
    const csv = await request(t.app).get(`/disclosures/${bank.code}/2023Q2.csv`);
    expect(csv.text.split('\r\n')[0]).toContain('exact.loanAmountWanYuan');
    expect(csv.text).toContain(`${bank.code},2023Q2,2,total,quarter,2,12000,`);
  });
});
