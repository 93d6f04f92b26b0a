/**
 * National totals from the loans, through the API and the public pages: computed from the loan sets the
 * published versions froze, exactly, and rounded once; a project two banks finance counted once (its
 * reduction once); a bank whose statement was imported without loan-level records counted at its published
 * figures; the page says how many banks' figures are counted which way.
 *
 * 2022Q3, by hand:
 * - banks X and Y lend 20,000,000.00 (X at 3.00 %) and 10,000,000.00 (Y at 3.35 %) to one project of
 *   30,000,000.00 total investment and 1,000 t a year (the register allows no more across banks): X is
 *   attributed 1,000 × 2/3 = 666.666… t, Y 1,000 × 1/3 = 333.333… t, together exactly the project's 1,000 t: the
 *   totals count one project and 1,000 t (nothing above the project's own reduction);
 * - X lends 10,000,000.00 at 3.10 % to a project of its own: 70,000,000.00 invested, 1,000 t a year:
 *   1,000/7 = 142.857142… t;
 * - bank Z's statement is imported as it printed it: 2 projects, "1,234.5678" 万元, "2.6298" %, "100.5" t.
 * Projects: X 2 + Y 1 − 1 (the shared one) + Z 2 = 4. Amount: 2,000 + 1,000 + 1,000 + 1,234.5678 = 5,234.5678 万元
 * → 5234.57. Rate: (2,000 × 3.00 + 1,000 × 3.10 + 1,000 × 3.35 + 1,234.5678 × 2.6298) ÷ 5,234.5678
 * = 15,696.66640044 ÷ 5,234.5678 = 2.99865566… → 3.00. Reduction: 1,000 + 1,000/7 + 100.5 = 1,243.357142… → 1243.36
 * (adding the banks' printed figures, 809.52 + 333.33 + 100.50, gives 1243.35).
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { validCreditCode } from '../factories/loans.js';
import { verifyAndPublish } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let x: Awaited<ReturnType<typeof createInstitution>>;
let y: Awaited<ReturnType<typeof createInstitution>>;
let z: Awaited<ReturnType<typeof createInstitution>>;
const BORROWER = { name: '某某新能源有限公司', creditCode: validCreditCode(7373) };
const SHARED = {
  name: '某某光伏电站',
  province: '青海省',
  subArea: 'CE.SOLAR',
  totalInvestment: '30000000.00',
  annualReductionTonnes: '1000.00',
  evidence: { title: '可行性研究报告', sha256: 'b'.repeat(64) },
};
const OWN = {
  ...SHARED,
  name: '某某储能电站',
  subArea: 'CE.STORAGE',
  totalInvestment: '70000000.00',
  evidence: { title: '可行性研究报告', sha256: 'c'.repeat(64) },
};

async function loan(bank: { apiKey: string }, project: object, principal: string, annualRatePercent: string, disbursedOn: string) {
  const id = await submitLoan(t, bank.apiKey, { borrower: BORROWER, project, principal, annualRatePercent, disbursedOn });
  return { id, principalFen: BigInt(principal.replace('.', '')) };
}

const Z_FIGURES = { projects: 2, loanAmountWanYuan: '1,234.5678', weightedAverageRatePercent: '2.6298', annualReductionTonnes: '100.5' };

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-20T04:00:00Z' });
  jobs = await startJobs(t);
  x = await createInstitution(t, { code: uniqueCode('NTX'), nameZh: '戊银行', nameEn: 'Bank X' });
  y = await createInstitution(t, { code: uniqueCode('NTY'), nameZh: '己银行', nameEn: 'Bank Y' });
  z = await createInstitution(t, { code: uniqueCode('NTZ'), nameZh: '庚银行', nameEn: 'Bank Z', eligibleFrom: '2021-07-01' });
  const verifier = await createInstitution(t, { code: uniqueCode('NTV'), kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier' });
  const fromX = [
    await loan(x, { ...SHARED, ref: 'X-PV' }, '20000000.00', '3.00', '2022-08-15'),
    await loan(x, { ...OWN, ref: 'X-ST' }, '10000000.00', '3.10', '2022-08-16'),
  ];
  const fromY = [await loan(y, { ...SHARED, ref: 'Y-PV' }, '10000000.00', '3.35', '2022-09-01')];
  await supportLoans(t, x.id, fromX);
  await supportLoans(t, y.id, fromY);
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  for (const bank of [x, y]) await verifyAndPublish(t, { bank, verifier, quarter: '2022Q3' });
  const imported = await request(t.app)
    .post(`/api/v1/disclosures/${z.code}/2022Q3/published-statement`)
    .set(bearer(t.operatorKey))
    .send({
      publishedOn: '2022-10-10',
      source: { url: 'https://example.com/z/2022q3.html' },
      horizons: { quarter: Z_FIGURES, yearToDate: Z_FIGURES, sinceInception: Z_FIGURES },
    });
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('national totals from the loans', () => {
  it("when each bank's own disclosure is read, then it prints its own figures (the totals below do not add these)", async () => {
    const own = async (code: string) => (await request(t.app).get(`/disclosures/${code}/2022Q3.json`).expect(200)).body.horizons.quarter;
    expect(await own(x.code)).toMatchObject({
      projects: 2,
      loanAmountWanYuan: '3000.00',
      weightedAverageRatePercent: '3.03',
      annualReductionTonnes: '809.52',
    });
    expect(await own(y.code)).toMatchObject({
      projects: 1,
      loanAmountWanYuan: '1000.00',
      weightedAverageRatePercent: '3.35',
      annualReductionTonnes: '333.33',
    });
    expect(await own(z.code)).toMatchObject({ loanAmountWanYuan: '1,234.5678', annualReductionTonnes: '100.5' });
  });

  it('when the totals are read, then the shared project counts once, the imported bank at its published figures, the rate exact then rounded once', async () => {
    const res = await request(t.app).get('/totals.json').expect(200);
    expect(res.body.latestQuarter).toBe('2022Q3');
    for (const horizon of [res.body.latest, res.body.sinceInception])
      expect(horizon).toEqual({
        projects: 4,
        loanAmountWanYuan: '5234.57',
        weightedAverageRatePercent: '3.00',
        annualReductionTonnes: '1243.36',
      });
    expect(res.body.sharedProjects).toMatchObject({
      latest: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '0.00' },
      sinceInception: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '0.00' },
    });
    expect(res.body.counting).toEqual({ latest: { fromLoans: 2, asPublished: 1 }, sinceInception: { fromLoans: 2, asPublished: 1 } });
  });

  it('when the home page is opened, then it shows the totals and says how many banks are counted from loans and how many as published', async () => {
    const zh = await request(t.app).get('/').expect(200);
    expect(zh.text).toContain('其中 2 家机构的数字由其已公布版本冻结的逐笔贷款精确计算');
    expect(zh.text).toContain('1 家机构没有逐笔贷款记录');
    expect(zh.text).toContain('1243.36');
    const en = await request(t.app).get('/?lang=en').expect(200);
    expect(en.text).toContain('How the institutions are counted: 2 from the loans their published versions froze');
    expect(en.text).toContain('1 at their published figures (no loan-level records here');
    expect(en.text).toContain('5234.57');
  });
});
