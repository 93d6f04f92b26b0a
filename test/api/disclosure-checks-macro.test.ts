/**
 * Macro checks before signing, through the API: one project's or one area's share of the bank's book,
 * judged only when the facility has at least 10 institutions with loans.
 *
 * Eight banks lend once on 2022-05-10 (no support: they only count as institutions with loans). Bank OV
 * lends 1,000,000.00 yuan on 2022-05-10 on each of three projects (wind, solar, industrial efficiency; 1,000.00 t each):
 * each project holds 33.33 % of its book (above 25 %), clean energy 66.67 % (above 60 %). By 2022-06-30
 * nine institutions have loans: its 2022Q2 has no macro finding. Bank AT lends on 2022-08-10 on four
 * projects (wind, solar, industrial efficiency, CCUS): 25.00 % each, clean energy 50.00 %; by 2022-09-30 ten
 * institutions have loans: OV's 2022Q3 has the macro findings and AT's, at the thresholds, none.
 * The tests of this file run in order.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { BUILT_IN_POLICY_DATA, replacePolicyData } from '../../domain/policy/index.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { allChecks } from '../factories/verification.js';

type Bank = { id: string; code: string; apiKey: string };
type Finding = { kind: string; check: string; subject: string; message: string; confirmation: { reason: string } | null };
let t: TestApp;
let jobs: JobRuntime;
let ov: Bank;
let at: Bank;
let verifier: Bank;
let assignmentId: string;

const lend = async (bank: Bank, ref: string, disbursedOn: string, subArea = 'CE.WIND') => ({
  id: await submitLoan(t, bank.apiKey, {
    loanRef: `${ref}-${bank.code}`,
    principal: '1000000.00',
    disbursedOn,
    maturesOn: '2031-12-31',
    project: { ref: `P-${ref}-${bank.code}`, subArea, totalInvestment: '1000000.00', annualReductionTonnes: '1000.00' },
  }),
  principalFen: 100_000_000n,
});
const checksOf = async (bank: Bank, quarter = '2022Q3') => {
  const res = await request(t.app).get(`/api/v1/disclosures/${bank.code}/${quarter}/checks`).set(bearer(bank.apiKey));
  expect(res.status).toBe(200);
  return res.body as { submittable: boolean; findings: Finding[] };
};
const macro = (findings: Finding[]) => findings.filter((f) => f.kind === 'macro').map((f) => `${f.check}:${f.subject}`);

async function compile(quarter: string, banks: Bank[]) {
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter }).expect(202);
  for (const bank of banks)
    await eventually(
      async () => (await request(t.app).get(`/api/v1/disclosures/${bank.code}/${quarter}`).set(bearer(bank.apiKey))).status === 200,
      `${bank.code} ${quarter} compiled`,
    );
}

beforeAll(async () => {
  replacePolicyData(BUILT_IN_POLICY_DATA);
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
  jobs = await startJobs(t);
  for (let i = 0; i < 8; i++) {
    const filler = await createInstitution(t, { code: uniqueCode(`MF${i}`) });
    await lend(filler, 'F', '2022-05-10');
  }
  ov = await createInstitution(t, { code: uniqueCode('MOV') });
  await supportLoans(t, ov.id, [
    await lend(ov, 'W', '2022-05-10', 'CE.WIND'),
    await lend(ov, 'S', '2022-05-10', 'CE.SOLAR'),
    await lend(ov, 'R', '2022-05-10', 'EE.INDUSTRIAL'),
  ]);
  at = await createInstitution(t, { code: uniqueCode('MAT') });
  await supportLoans(t, at.id, [
    await lend(at, 'W', '2022-08-10', 'CE.WIND'),
    await lend(at, 'S', '2022-08-10', 'CE.SOLAR'),
    await lend(at, 'R', '2022-08-10', 'EE.INDUSTRIAL'),
    await lend(at, 'G', '2022-08-10', 'CT.CCUS'),
  ]);
  await compile('2022Q2', [ov]);
  await compile('2022Q3', [ov, at]);
}, 180_000);
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

describe('macro checks: shares of the bank’s book', () => {
  it('when nine institutions have loans, then no share is judged, however concentrated the book', async () => {
    expect(macro((await checksOf(ov, '2022Q2')).findings)).toEqual([]);
  });

  it('when ten institutions have loans, then each project above 25 % and clean energy above 60 % are macro findings; a book at 25 % and 50 % has none', async () => {
    const findings = (await checksOf(ov)).findings;
    expect(macro(findings).sort()).toEqual(
      [
        `project_share:project:P-W-${ov.code}`,
        `project_share:project:P-S-${ov.code}`,
        `project_share:project:P-R-${ov.code}`,
        'area_share:area:clean_energy',
      ].sort(),
    );
    const area = findings.find((f) => f.check === 'area_share')!;
    expect(area.message).toContain('66.67 % of the attributed reduction and 66.67 % of the loan amount');
    expect(area.message).toContain('above 60.00 %');
    const at25 = await checksOf(at);
    expect(at25).toMatchObject({ submittable: true, findings: [] });
  });

  it("when an operator lists the quarter's checks, then every bank's latest version is there, and ?open=true keeps those not settled; a bank is refused", async () => {
    const all = await request(t.app).get('/api/v1/disclosure-checks?quarter=2022Q3').set(bearer(t.operatorKey));
    expect(all.status).toBe(200);
    const codes = all.body.disclosures.map((d: { institution: { code: string } }) => d.institution.code);
    expect(codes).toEqual([at.code, ov.code].sort());
    const open = await request(t.app).get('/api/v1/disclosure-checks?quarter=2022Q3&open=true').set(bearer(t.operatorKey));
    expect(open.body.disclosures).toEqual([
      expect.objectContaining({ institution: expect.objectContaining({ code: ov.code }), submittable: false, status: 'compiled' }),
    ]);
    expect((await request(t.app).get('/api/v1/disclosure-checks?quarter=2022Q3').set(bearer(ov.apiKey))).status).toBe(403);
    const bad = await request(t.app).get('/api/v1/disclosure-checks?quarter=2022Q5').set(bearer(t.operatorKey));
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ path: 'quarter' });
  });

  it('when the bank opens its drafts page, then each finding is there with a form; posting a reason confirms it', async () => {
    const cookies = await signInToPages(t, ov.apiKey);
    const page = await browsePage(t, '/bank/disclosures?lang=en', cookies);
    expect(page.res.status).toBe(200);
    expect(page.res.text).toContain('Checks before signing');
    expect(page.res.text).toContain('One area’s share too high');
    expect(page.res.text).toContain(`action="/bank/disclosures/2022Q3/checks/confirm"`);
    const posted = await request(t.app)
      .post('/bank/disclosures/2022Q3/checks/confirm')
      .set('Cookie', page.cookies.join('; '))
      .type('form')
      .send({ _csrf: page.token, check: 'area_share', subject: 'area:clean_energy', reason: 'reason for area:clean_energy' });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/bank/disclosures?done=1');
    const area = (await checksOf(ov)).findings.find((f) => f.check === 'area_share')!;
    expect(area.confirmation).toMatchObject({ reason: 'reason for area:clean_energy' });
    const zh = await browsePage(t, '/bank/disclosures?lang=zh', page.cookies);
    expect(zh.res.text).toContain('签署前检查');
    expect(zh.res.text).toContain('单一领域占比过高');
  });

  it('when the bank confirms each finding with a reason and submits, then the verifier sees every finding with its reason beside the sample', async () => {
    const path = `/api/v1/disclosures/${ov.code}/2022Q3`;
    const { findings } = await checksOf(ov);
    for (const f of findings)
      expect(
        (
          await request(t.app)
            .post(`${path}/checks/confirm`)
            .set(bearer(ov.apiKey))
            .send({ check: f.check, subject: f.subject, reason: `reason for ${f.subject}` })
        ).status,
      ).toBe(200);
    expect((await checksOf(ov)).submittable).toBe(true);
    expect((await request(t.app).post(`${path}/submit`).set(bearer(ov.apiKey))).status).toBe(200);

    verifier = await createInstitution(t, { code: uniqueCode('MV'), kind: 'verifier' });
    await request(t.app)
      .post(`${path}/assign`)
      .set(bearer(t.operatorKey))
      .send({ verifier: verifier.code, seed: 'macro', materialityThreshold: '1.00', randomSampleSize: 0 })
      .expect(200);
    const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(verifier.apiKey)).expect(200);
    assignmentId = queue.body.items[0].id;
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${assignmentId}`).set(bearer(verifier.apiKey));
    expect(detail.status).toBe(200);
    expect(detail.body.sample.length).toBeGreaterThan(0);
    expect(detail.body.checks).toHaveLength(findings.length);
    for (const c of detail.body.checks as Finding[]) expect(c.confirmation).toMatchObject({ reason: `reason for ${c.subject}` });
  });

  it("when the verifier opens the assignment, then the findings and the bank's reasons are beside the sample; the operator's page lists them by quarter", async () => {
    const page = await browsePage(t, `/verify/${assignmentId}?lang=en`, await signInToPages(t, verifier.apiKey));
    expect(page.res.status).toBe(200);
    expect(page.res.text).toContain('Checks before signing');
    expect(page.res.text).toContain('reason for area:clean_energy');
    const operator = await browsePage(t, '/operator/disclosures?checks=2022Q3&lang=zh', await signInToPages(t, t.operatorKey));
    expect(operator.res.status).toBe(200);
    expect(operator.res.text).toContain('签署前检查');
    expect(operator.res.text).toContain(`(${ov.code})`);
    expect(operator.res.text).toContain(`reason for project:P-W-${ov.code}`);
  });

  it("when the verifier gives its verdict, then the report keeps every finding with the bank's reason", async () => {
    const path = `/api/v1/disclosures/${ov.code}/2022Q3`;
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${assignmentId}`).set(bearer(verifier.apiKey));
    const findings = allChecks((detail.body.sample as { loanId: string }[]).map((s) => s.loanId));
    await request(t.app).post(`${path}/findings`).set(bearer(verifier.apiKey)).send({ findings }).expect(201);
    await request(t.app)
      .post(`${path}/verdict`)
      .set(bearer(verifier.apiKey))
      .send({ verdict: 'verified', summary: '抽样核验无误' })
      .expect(200);
    const report = await request(t.app).get(`/api/v1/verification/assignments/${assignmentId}/report`).set(bearer(ov.apiKey));
    expect(report.status).toBe(200);
    const kept = report.body.report.checksBeforeSigning as { check: string; subject: string; reason: string }[];
    expect(kept.map((c) => c.check).sort()).toEqual(
      ['area_share', 'project_share', 'project_share', 'project_share', 'quarter_far_from_last_four', 'quarter_far_from_last_four'].sort(),
    );
    for (const c of kept) expect(c.reason).toBe(`reason for ${c.subject}`);
  });
});
