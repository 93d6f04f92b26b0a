/**
 * One identity for a project everywhere (docs/projects.md, docs/reconciliation-and-totals.md): two banks lend
 * to one wind farm under two spellings; once operators link the spellings in the register (four eyes), the
 * national totals count the project once (its reduction once) and the shared-projects answer lists it,
 * without any bank's published version changing.
 *
 * 2022Q3, by hand: bank X lends 60,000,000.00 at 3.00 % to 某某风电场, bank Y 60,000,000.00 at 3.20 % to
 * 某某风电场（一期） (same borrower, same province), each declaring 100,000,000.00 total investment and
 * 50,000 t a year. Each is attributed 50,000 × 60/100 = 30,000 t.
 * - Before the link: two projects, 12,000 万元, rate (6,000 × 3.00 + 6,000 × 3.20) ÷ 12,000 = 3.10 %, reduction
 *   30,000 + 30,000 = 60,000 t; nothing shared.
 * - After the link: one project, 12,000 万元, 3.10 %, and the reduction 60,000 t capped at the project's own
 *   50,000 t: 50,000.00 t counted, 10,000.00 t not counted twice, one project not counted twice.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { confirmApproval } from '../factories/approvals.js';
import { startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { validCreditCode } from '../factories/loans.js';
import { verifyAndPublish } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
type Bank = Awaited<ReturnType<typeof createInstitution>>;
let x: Bank;
let y: Bank;
const BORROWER = { name: '某某风电有限公司', creditCode: validCreditCode(7411) };
const WIND = {
  name: '某某风电场',
  province: '内蒙古自治区',
  subArea: 'CE.WIND',
  totalInvestment: '100000000.00',
  annualReductionTonnes: '50000.00',
  evidence: { title: '可行性研究报告', sha256: 'd'.repeat(64) },
};
const OTHER_SPELLING = { ...WIND, name: '某某风电场（一期）' };

async function loan(bank: Bank, project: object, principal: string, annualRatePercent: string) {
  const id = await submitLoan(t, bank.apiKey, { borrower: BORROWER, project, principal, annualRatePercent, disbursedOn: '2022-08-15' });
  return { id, principalFen: BigInt(principal.replace('.', '')) };
}

const totals = async () => (await request(t.app).get('/totals.json').expect(200)).body;
const sharedProjects = async () =>
  (await request(t.app).get('/api/v1/shared-projects?quarter=2022Q3').set(bearer(t.operatorKey)).expect(200)).body;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-20T04:00:00Z' });
  jobs = await startJobs(t);
  x = await createInstitution(t, { code: uniqueCode('RTX'), nameZh: '辛银行', nameEn: 'Bank X' });
  y = await createInstitution(t, { code: uniqueCode('RTY'), nameZh: '壬银行', nameEn: 'Bank Y' });
  const verifier = await createInstitution(t, { code: uniqueCode('RTV'), kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier' });
  await supportLoans(t, x.id, [await loan(x, { ...WIND, ref: 'X-WIND' }, '60000000.00', '3.00')]);
  await supportLoans(t, y.id, [await loan(y, { ...OTHER_SPELLING, ref: 'Y-WIND' }, '60000000.00', '3.20')]);
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  for (const bank of [x, y]) await verifyAndPublish(t, { bank, verifier, quarter: '2022Q3' });
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('one identity for a project in the totals and the shared-projects report', () => {
  it('when operators link two spellings of one project, then the national totals count it and its reduction once and the shared-projects answer lists it', async () => {
    const before = await totals();
    expect(before.latestQuarter).toBe('2022Q3');
    expect(before.latest).toEqual({
      projects: 2,
      loanAmountWanYuan: '12000.00',
      weightedAverageRatePercent: '3.10',
      annualReductionTonnes: '60000.00',
    });
    expect(before.sharedProjects.latest).toMatchObject({ sharedProjects: 0, projectsNotCounted: 0, reductionNotCountedTonnes: '0.00' });
    expect((await sharedProjects()).items).toEqual([]);

    // the operators link the two spellings (four eyes)
    const entries = (await request(t.app).get(`/api/v1/projects?creditCode=${BORROWER.creditCode}`).set(bearer(t.operatorKey)).expect(200))
      .body.items as { id: string; name: string }[];
    expect(entries).toHaveLength(2);
    const xs = entries.find((e) => e.name === WIND.name)!;
    const ys = entries.find((e) => e.name === OTHER_SPELLING.name)!;
    const proposed = await request(t.app)
      .post(`/api/v1/projects/${xs.id}/link`)
      .set(bearer(t.operatorKey))
      .send({ otherProject: ys.id, reason: 'one wind farm: the second bank wrote its phase in the name' });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(202);
    // proposed but not confirmed: still two projects
    expect((await totals()).latest.projects).toBe(2);
    expect((await confirmApproval(t, t.operator2Key!, proposed.body.id)).status).toBe(200);

    const after = await totals();
    for (const horizon of [after.latest, after.sinceInception])
      expect(horizon).toEqual({
        projects: 1,
        loanAmountWanYuan: '12000.00',
        weightedAverageRatePercent: '3.10',
        annualReductionTonnes: '50000.00',
      });
    expect(after.sharedProjects).toMatchObject({
      latest: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '10000.00' },
      sinceInception: { sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '10000.00' },
    });

    const shared = await sharedProjects();
    expect(shared.totals).toEqual({ sharedProjects: 1, projectsNotCounted: 1, reductionNotCountedTonnes: '10000.00' });
    expect(shared.items).toHaveLength(1);
    expect(shared.items[0]).toMatchObject({
      creditCode: BORROWER.creditCode,
      projects: 2,
      principal: '120000000.00',
      attributedAnnualReductionTonnes: '60000.00',
      projectAnnualReductionTonnes: '50000.00',
      countedOnceTonnes: '50000.00',
      notCountedTonnes: '10000.00',
    });
    expect(shared.items[0].banks.map((b: { institution: { code: string } }) => b.institution.code).sort()).toEqual([x.code, y.code].sort());

    // each bank's own published disclosure is unchanged: 30,000 t each
    for (const bank of [x, y])
      expect(
        (await request(t.app).get(`/disclosures/${bank.code}/2022Q3.json`).expect(200)).body.horizons.quarter.annualReductionTonnes,
      ).toBe('30000.00');
    // the home page says the project counts once
    const home = await request(t.app).get('/').expect(200);
    expect(home.text).toContain('其中 1 个项目由多家银行共同支持（全国项目登记中的同一项目');
  });
});
