/**
 * Projects financed by several banks (same borrower credit code, project name and province): flagged to
 * operators (API and page), counted once in the public national totals (page zh/en and totals.json), each
 * bank's own disclosure unchanged.
 *
 * 2022Q3: banks A and B lend to the same wind farm (B writes its name with half-width brackets and spaces);
 * 100,000,000 yuan of investment and 1,000 t a year, A lends 80,000,000 (800 t attributed), B 60,000,000
 * (600 t): together 1,400 t, above the project's own 1,000 t, so the totals count 1,000 t and one project.
 * Bank C lends to a project of the same borrower and name in another province, and twice to one project
 * of its own: neither is shared.
 */
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest, validCreditCode, type LoanRequest } from '../factories/loans.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { verifyAndPublish } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let a: Awaited<ReturnType<typeof createInstitution>>;
let b: Awaited<ReturnType<typeof createInstitution>>;
let c: Awaited<ReturnType<typeof createInstitution>>;
let fromB: { id: string; principalFen: bigint; body: LoanRequest }[];
const BORROWER = { name: '某某风能有限公司', creditCode: validCreditCode(4242) };
const WIND = {
  name: '某某风电场（一期）',
  province: '内蒙古自治区',
  subArea: 'CE.WIND',
  totalInvestment: '100000000.00',
  annualReductionTonnes: '1000.00',
  evidence: { title: '可行性研究报告', sha256: 'a'.repeat(64) },
};

async function loan(bank: { id: string; apiKey: string }, project: object, principal: string, disbursedOn = '2022-08-15') {
  const id = await submitLoan(t, bank.apiKey, { borrower: BORROWER, project, principal, disbursedOn });
  return { id, principalFen: BigInt(principal.replace('.', '')) };
}

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-20T04:00:00Z' });
  jobs = await startJobs(t);
  a = await createInstitution(t, { code: uniqueCode('SPA'), nameZh: '甲银行', nameEn: 'Bank A' });
  b = await createInstitution(t, { code: uniqueCode('SPB'), nameZh: '乙银行', nameEn: 'Bank B' });
  c = await createInstitution(t, { code: uniqueCode('SPC'), nameZh: '丙银行', nameEn: 'Bank C' });
  const verifier = await createInstitution(t, { code: uniqueCode('SPV'), kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier' });

  const fromA = [await loan(a, { ...WIND, ref: 'A-WIND' }, '80000000.00')];
  // the same project as B writes it: half-width brackets, spaces inside and around
  const bBody = loanRequest({
    borrower: BORROWER,
    project: { ...WIND, ref: 'B-W1', name: ' 某某 风电场(一期)　' },
    principal: '60000000.00',
    disbursedOn: '2022-09-01',
  });
  // Since the register of projects (docs/projects.md), B may lend only the 20,000,000.00 that A left of the
  // investment; this report is about data recorded before that rule: B's loan is raised to 60,000,000.00 as it
  // stood then (the loan and its project's funded total, with the SQL a migration of such data would write)
  const idB = await submitLoan(t, b.apiKey, { ...bBody, principal: '20000000.00' });
  await t.database.db.execute(sql`update loans set principal_fen = 6000000000, outstanding_fen = 6000000000 where id = ${idB}::uuid`);
  await t.database.db.execute(
    sql`update projects set funded_fen = 6000000000 where id = (select project_id from loans where id = ${idB}::uuid)`,
  );
  fromB = [{ id: idB, principalFen: 6_000_000_000n, body: bBody }];
  const fromC = [
    // same borrower and name, another province: another project
    await loan(c, { ...WIND, ref: 'C-HEBEI', province: '河北省' }, '50000000.00'),
    // one bank, two loans to one project: not shared
    await loan(c, { ...WIND, ref: 'C-SOLAR', name: '某某光伏电站', annualReductionTonnes: '500.00' }, '30000000.00'),
    await loan(c, { ...WIND, ref: 'C-SOLAR', name: '某某光伏电站', annualReductionTonnes: '500.00' }, '20000000.00'),
  ];
  await supportLoans(t, a.id, fromA);
  await supportLoans(t, b.id, fromB);
  await supportLoans(t, c.id, fromC);
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  for (const bank of [a, b, c]) await verifyAndPublish(t, { bank, verifier, quarter: '2022Q3' });
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('projects financed by several banks', () => {
  it('when two banks lend to the same project in the same province, then operators see it flagged with each bank, loan, amount and reduction', async () => {
    const res = await request(t.app).get('/api/v1/shared-projects?quarter=2022Q3').set(bearer(t.operatorKey));
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual({ sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '400.00' });
    expect(res.body.items).toHaveLength(1);
    const [project] = res.body.items;
    expect(project).toMatchObject({
      creditCode: BORROWER.creditCode,
      province: '内蒙古自治区',
      quarters: ['2022Q3'],
      projects: 2,
      principal: '140000000.00',
      attributedAnnualReductionTonnes: '1400.00',
      projectAnnualReductionTonnes: '1000.00',
      countedOnceTonnes: '1000.00',
      notCountedTonnes: '400.00',
    });
    expect(project.banks.map((x: { institution: { code: string } }) => x.institution.code)).toEqual([a.code, b.code].sort());
    const bankB = project.banks.find((x: { institution: { code: string } }) => x.institution.code === b.code);
    expect(bankB).toMatchObject({ principal: '60000000.00', attributedAnnualReductionTonnes: '600.00' });
    expect(bankB.loans).toEqual([
      expect.objectContaining({ projectRef: 'B-W1', principal: '60000000.00', disbursedOn: '2022-09-01', quarter: '2022Q3' }),
    ]);
    // neither bank C's project in another province nor its own two loans to one project are flagged
    expect(JSON.stringify(res.body)).not.toContain(c.code);
  });

  it('when the quarter asked ends before the loans, then nothing is flagged; a malformed quarter is refused naming the field; banks may not list', async () => {
    const before = await request(t.app).get('/api/v1/shared-projects?quarter=2022Q2').set(bearer(t.operatorKey)).expect(200);
    expect(before.body).toMatchObject({ through: '2022-06-30', items: [], totals: { sharedProjects: 0 } });
    const bad = await request(t.app).get('/api/v1/shared-projects?quarter=2022Q5').set(bearer(t.operatorKey));
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ path: 'quarter', code: 'invalid_quarter' });
    const bank = await request(t.app).get('/api/v1/shared-projects').set(bearer(a.apiKey));
    expect(bank.status).toBe(403);
  });

  it('when the national totals are read, then the shared project and its reduction count once, loan amounts add up, and the download says so', async () => {
    const res = await request(t.app).get('/totals.json').expect(200);
    expect(res.body.sharedProjects).toMatchObject({
      latest: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '400.00' },
      sinceInception: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '400.00' },
    });
    expect(res.body.sharedProjects.rule).toContain('counts as one project');
    // each bank's own disclosure is as it published it: A 800 t, B 600 t, C 500 t + 250 t over two projects
    const byBank = new Map(
      (
        res.body.disclosures as {
          institution: { code: string };
          horizons: { quarter: { projects: number; annualReductionTonnes: string } };
        }[]
      ).map((d) => [d.institution.code, d.horizons.quarter]),
    );
    expect(byBank.get(a.code)).toMatchObject({ projects: 1, annualReductionTonnes: '800.00' });
    expect(byBank.get(b.code)).toMatchObject({ projects: 1, annualReductionTonnes: '600.00' });
    expect(byBank.get(c.code)).toMatchObject({ projects: 2, annualReductionTonnes: '750.00' });
    for (const horizon of [res.body.latest, res.body.sinceInception]) {
      // 1 + 1 + 2 projects, the wind farm once; 800 + 600 + 750 t less the 400 t above the wind farm's own
      expect(horizon).toMatchObject({ projects: 3, loanAmountWanYuan: '24000.00', annualReductionTonnes: '1750.00' });
    }
    const own = await request(t.app).get(`/disclosures/${a.code}/2022Q3.json`).expect(200);
    expect(JSON.stringify(own.body)).not.toContain('sharedProjects');
  });

  it('when the home page is opened, then it says in Chinese and English how many projects several banks finance and how much was counted once', async () => {
    const zh = await request(t.app).get('/?lang=zh').expect(200);
    expect(zh.text).toContain('其中 1 个项目由多家银行共同支持');
    expect(zh.text).toContain('项目数和碳减排量只计一次（少计项目 1 个、碳减排量 400.00 吨）');
    const en = await request(t.app).get('/?lang=en').expect(200);
    expect(en.text).toContain('Of these, 1 projects are financed by several banks');
    expect(en.text).toContain('(1 projects and 400.00 t CO2e not counted twice)');
  });

  it('when an operator opens the listing page, then each bank of the shared project is shown with its loans and what the totals count once', async () => {
    const cookies = await signInToPages(t, t.operatorKey);
    const home = await browsePage(t, '/operator?lang=en', cookies);
    expect(home.res.text).toContain('href="/operator/shared-projects"');
    const page = await browsePage(t, '/operator/shared-projects?quarter=2022Q3&lang=en', home.cookies);
    expect(page.res.status).toBe(200);
    const text = page.res.text;
    expect(text).toContain('1 projects; the national totals count 1 projects and 400.00 t CO2e fewer because of them.');
    expect(text).toContain(BORROWER.creditCode);
    expect(text).toContain(`${a.code} · Bank A`);
    expect(text).toContain(`${b.code} · Bank B`);
    expect(text).toContain('B-W1');
    expect(text).toMatch(/Counted in the national totals \(t\)<\/dt><dd>1,000\.00<\/dd>/);
    expect(text).not.toContain(c.code);
    // projects are listed 20 a page; the summary above counts them all on every page
    const second = await browsePage(t, '/operator/shared-projects?quarter=2022Q3&lang=en&page=2', page.cookies);
    expect(second.res.text).toContain('1 projects; the national totals count 1 projects and 400.00 t CO2e fewer because of them.');
    expect(second.res.text).not.toContain('B-W1');
    expect(second.res.text).toContain('href="/operator/shared-projects?quarter=2022Q3&amp;lang=en" rel="prev"');
    const empty = await browsePage(t, '/operator/shared-projects?quarter=2022Q2&lang=zh', second.cookies);
    expect(empty.res.text).toContain('没有多家银行共同支持的项目。');
  });

  it('when a bank amends its loan after publication, then operators see the loans as they stand now, and the national totals stay as published', async () => {
    const [loanB] = fromB;
    const amended = await request(t.app)
      .post(`/api/v1/loans/${loanB.id}/amendments`)
      .set(bearer(b.apiKey))
      .send({ reason: '项目名称更正', loan: { ...loanB.body, project: { ...loanB.body.project, name: '某某风电场（二期）' } } });
    expect(amended.status).toBe(201);
    const listing = await request(t.app).get('/api/v1/shared-projects').set(bearer(t.operatorKey)).expect(200);
    expect(listing.body.items).toEqual([]);
    const totals = await request(t.app).get('/totals.json').expect(200);
    expect(totals.body.sharedProjects.sinceInception).toMatchObject({ sharedProjects: 1, reductionNotCountedTonnes: '400.00' });
    expect(totals.body.sinceInception).toMatchObject({ projects: 3, annualReductionTonnes: '1750.00' });
  });
});
