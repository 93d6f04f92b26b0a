/**
 * A project exists once (docs/projects.md): the national register of projects, the over-funding check
 * across all banks, linking and splitting spellings (four eyes), and an operator's decision of a project's
 * figures, after which the banks' attributed reductions of it never add up to more than its reduction and
 * the compiled quarters counting it get their next versions. Figures by hand in each test.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { confirmApproval } from '../factories/approvals.js';
import { eventually, startJobs, stopJobs, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { browsePage, signInToPages } from '../factories/sessions.js';
import { loanRequest, validCreditCode } from '../factories/loans.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
type Bank = Awaited<ReturnType<typeof createInstitution>>;
let x: Bank;
let y: Bank;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-20T04:00:00Z' });
  jobs = await startJobs(t);
  x = await createInstitution(t, { code: uniqueCode('PRX'), nameZh: '甲商业银行', nameEn: 'Alpha Commercial Bank' });
  y = await createInstitution(t, { code: uniqueCode('PRY'), nameZh: '乙商业银行', nameEn: 'Beta Commercial Bank' });
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

/** One evidence file for every project: a bank's loans to one project carry the same project data. */
const EVIDENCE = { title: '可行性研究报告', sha256: 'e'.repeat(64) };

/** One loan of `bank` to the project (borrower, name, province, figures), with the bank's own references. */
const loanTo = (
  bank: Bank,
  p: { creditCode: string; name: string; province: string; totalInvestment: string; annualReductionTonnes: string },
  principal: string,
  refs: { loanRef?: string; projectRef?: string } = {},
) =>
  request(t.app)
    .post('/api/v1/loans')
    .set(bearer(bank.apiKey))
    .send(
      loanRequest({
        ...(refs.loanRef ? { loanRef: refs.loanRef } : {}),
        borrower: { name: '某某新能源有限公司', creditCode: p.creditCode },
        project: {
          ref: refs.projectRef ?? `${bank.code}-${p.name}`,
          name: p.name,
          province: p.province,
          totalInvestment: p.totalInvestment,
          annualReductionTonnes: p.annualReductionTonnes,
          evidence: EVIDENCE,
        },
        principal,
        disbursedOn: '2022-08-15',
        maturesOn: '2025-08-15',
      }),
    );

const projectsOf = async (creditCode: string) =>
  (await request(t.app).get(`/api/v1/projects?creditCode=${creditCode}`).set(bearer(t.operatorKey)).expect(200)).body.items as {
    id: string;
    name: string;
  }[];
const project = async (id: string) => (await request(t.app).get(`/api/v1/projects/${id}`).set(bearer(t.operatorKey)).expect(200)).body;

/** Proposed by the first operator, confirmed by the second. */
async function fourEyes(path: string, body: object) {
  const proposed = await request(t.app).post(path).set(bearer(t.operatorKey)).send(body);
  expect(proposed.status, JSON.stringify(proposed.body)).toBe(202);
  const confirmed = await confirmApproval(t, t.operator2Key!, proposed.body.id);
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  return confirmed.body;
}

describe('the loans of all banks to one project never exceed its total investment', () => {
  const WIND = {
    creditCode: validCreditCode(7001),
    name: '某某风电场一期',
    province: '内蒙古自治区',
    totalInvestment: '100000000.00',
    annualReductionTonnes: '50000.00',
  };

  it('when bank X lent 80,000,000.00 of a 100,000,000.00 project and bank Y asks for 80,000,000.00, then Y is refused project_overfunded by 60,000,000.00 without learning who X is', async () => {
    const fromX = await loanTo(x, WIND, '80000000.00', { loanRef: `${x.code}-SECRET-LOAN-1` });
    expect(fromX.status, JSON.stringify(fromX.body)).toBe(201);

    // the same project as Y writes it: full-width brackets are not involved, but spaces and a capital are folded
    const refused = await loanTo(y, { ...WIND, name: ' 某某风电场 一期 ' }, '80000000.00');
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('validation_failed');
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'principal', code: 'project_overfunded' })]);
    // 80,000,000.00 + 80,000,000.00 − 100,000,000.00 = 60,000,000.00; at most 20,000,000.00 fits
    expect(refused.body.errors[0].message).toContain('60000000.00');
    expect(refused.body.errors[0].message).toContain('20000000.00');
    const text = JSON.stringify(refused.body);
    for (const secret of [x.code, '甲商业银行', 'Alpha', `${x.code}-SECRET-LOAN-1`, x.id]) expect(text).not.toContain(secret);

    // what fits is accepted: 80,000,000.00 + 20,000,000.00 = 100,000,000.00 exactly; one fen more is not
    expect((await loanTo(y, WIND, '20000000.00')).status).toBe(201);
    const cent = await loanTo(y, WIND, '0.01');
    expect(cent.status).toBe(422);
    expect(cent.body.errors[0]).toMatchObject({ code: 'project_overfunded' });
    expect(cent.body.errors[0].message).toContain('by 0.01');

    // operators see the whole project: both banks, every loan
    const [entry] = await projectsOf(WIND.creditCode);
    const view = await project(entry.id);
    expect(view).toMatchObject({ funded: '100000000.00', banks: 2, state: { overfunded: false, conflict: false, excess: '0.00' } });
    expect(view.byBank.map((b: { institution: { code: string }; principal: string }) => [b.institution.code, b.principal]).sort()).toEqual(
      [
        [x.code, '80000000.00'],
        [y.code, '20000000.00'],
      ].sort(),
    );
    // 50,000 t × 80/100 = 40,000.00 t and × 20/100 = 10,000.00 t: 50,000.00 t, the project's reduction
    expect(view.attributedAnnualReductionTonnes).toBe('50000.00');
  });

  it('when a batch of bank Y carries two rows on a project X already funded, then the row that would exceed is refused and the other lands', async () => {
    const p = { ...WIND, creditCode: validCreditCode(7011), name: '某某风电场二期' };
    expect((await loanTo(x, p, '70000000.00')).status).toBe(201);
    const { creditCode, ...facts } = p;
    const row = () =>
      loanRequest({ borrower: { creditCode }, project: { ref: 'Y-B-1', ...facts, evidence: EVIDENCE }, principal: '20000000.00' });
    const rows = [row(), row()];
    const res = await request(t.app).post('/api/v1/loans/batch').set(bearer(y.apiKey)).send({ loans: rows }).expect(200);
    // 70 + 20 = 90 fits; 90 + 20 = 110 exceeds 100 by 10,000,000.00
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['created', 'error']);
    expect(res.body.results[1].errors[0]).toMatchObject({ code: 'project_overfunded' });
    expect(res.body.results[1].errors[0].message).toContain('10000000.00');
  });

  it('when two banks submit to one new project at the same moment, then only one of them passes', async () => {
    const p = { ...WIND, creditCode: validCreditCode(7002), name: '某某风电场三期' };
    const answers = await Promise.all([loanTo(x, p, '80000000.00'), loanTo(y, p, '80000000.00')]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const [entry] = await projectsOf(p.creditCode);
    expect((await project(entry.id)).funded).toBe('80000000.00');
  });

  it('when a bank asks for the register, then it is refused: the register is the operators’ only', async () => {
    const [entry] = await projectsOf(WIND.creditCode);
    expect((await request(t.app).get('/api/v1/projects').set(bearer(y.apiKey))).status).toBe(403);
    expect((await request(t.app).get(`/api/v1/projects/${entry.id}`).set(bearer(y.apiKey))).status).toBe(403);
    // nor does its audit trail name the other bank or its loans
    const audit = await request(t.app).get('/api/v1/audit?limit=1000').set(bearer(y.apiKey)).expect(200);
    const text = JSON.stringify(audit.body);
    expect(text).not.toContain(x.code);
    expect(text).not.toContain(`${x.code}-SECRET-LOAN-1`);
  });
});

describe('linking two spellings of one project, and splitting a wrong link (four eyes, audited)', () => {
  const SOLAR = {
    creditCode: validCreditCode(7003),
    name: '某某光伏电站',
    province: '青海省',
    totalInvestment: '100000000.00',
    annualReductionTonnes: '10000.00',
  };
  const OTHER_SPELLING = { ...SOLAR, name: '某某光伏电站（格尔木）' };

  it('when two spellings are linked, then the over-funding check spans both; when the link is split, then each is checked on its own again', async () => {
    expect((await loanTo(x, SOLAR, '60000000.00')).status).toBe(201);
    // another name: another project until an operator links them
    expect((await loanTo(y, OTHER_SPELLING, '60000000.00')).status).toBe(201);
    const entries = await projectsOf(SOLAR.creditCode);
    expect(entries).toHaveLength(2);
    const xs = entries.find((e) => e.name === SOLAR.name)!;
    const ys = entries.find((e) => e.name === OTHER_SPELLING.name)!;

    // the proposer cannot confirm its own link
    const proposed = await request(t.app)
      .post(`/api/v1/projects/${xs.id}/link`)
      .set(bearer(t.operatorKey))
      .send({ otherProject: ys.id, reason: 'one solar plant: the bank wrote its site in the name' });
    expect(proposed.status).toBe(202);
    expect((await confirmApproval(t, t.operatorKey, proposed.body.id)).body.code).toBe('four_eyes_violation');
    expect((await project(xs.id)).banks).toBe(1);
    expect((await confirmApproval(t, t.operator2Key!, proposed.body.id)).status).toBe(200);

    // 60,000,000.00 + 60,000,000.00 = 120,000,000.00: 20,000,000.00 above the 100,000,000.00 investment
    const linked = await project(xs.id);
    expect(linked).toMatchObject({ banks: 2, funded: '120000000.00', state: { overfunded: true, excess: '20000000.00' } });
    expect(linked.spellings).toHaveLength(2);
    expect((await project(ys.id)).mergedInto).toBe(xs.id);
    const listed = (await request(t.app).get('/api/v1/projects').set(bearer(t.operatorKey)).expect(200)).body.items;
    expect(listed.map((p: { id: string }) => p.id)).toContain(xs.id);
    // and on the operators' page, Chinese first, with the way to decide
    const cookies = await signInToPages(t, t.operatorKey);
    const zh = await browsePage(t, '/operator/projects?lang=zh', cookies);
    expect(zh.res.status).toBe(200);
    expect(zh.res.text).toContain('各银行贷款合计超出总投资 20,000,000.00 元');
    expect(zh.res.text).toContain(`action="/operator/projects/${xs.id}/decision"`);
    const en = await browsePage(t, '/operator/projects?lang=en', zh.cookies);
    expect(en.res.text).toContain('The loans of all banks exceed its total investment by 20,000,000.00 yuan');
    // either spelling now names the linked project: 120,000,000.00 + 1.00 exceeds by 20,000,001.00
    const more = await loanTo(x, OTHER_SPELLING, '1.00');
    expect(more.status).toBe(422);
    expect(more.body.errors[0].message).toContain('20000001.00');
    // linking again is refused
    const again = await request(t.app)
      .post(`/api/v1/projects/${xs.id}/link`)
      .set(bearer(t.operatorKey))
      .send({ otherProject: ys.id, reason: 'again' });
    expect(again.status).toBe(404);

    // the audit trail records the link, with its four eyes
    const audit = await request(t.app).get('/api/v1/audit?resource=project_register_keys&limit=100').set(bearer(t.operatorKey)).expect(200);
    expect(
      audit.body.items.some(
        (r: { action: string; reason: string | null }) => r.action === 'update' && (r.reason ?? '').includes(proposed.body.id),
      ),
    ).toBe(true);

    // split the other spelling off again
    const split = await request(t.app)
      .post(`/api/v1/projects/${xs.id}/split`)
      .set(bearer(t.operator2Key!))
      .send({ creditCode: SOLAR.creditCode, name: OTHER_SPELLING.name, province: SOLAR.province, reason: 'two plants after all' });
    expect(split.status).toBe(202);
    const done = await confirmApproval(t, t.operatorKey, split.body.id);
    expect(done.status).toBe(200);
    expect(done.body.result).toMatchObject({ projectId: xs.id, loans: 1 });
    expect(await project(xs.id)).toMatchObject({ banks: 1, funded: '60000000.00', state: { overfunded: false } });
    expect(await project(done.body.result.splitId)).toMatchObject({ banks: 1, funded: '60000000.00', name: OTHER_SPELLING.name });
    // X may lend up to 100,000,000.00 − 60,000,000.00 = 40,000,000.00 again, not one fen more
    expect((await loanTo(x, SOLAR, '40000000.00')).status).toBe(201);
    expect((await loanTo(x, SOLAR, '0.01')).status).toBe(422);
    // a project with one spelling has nothing to split
    const nothing = await request(t.app)
      .post(`/api/v1/projects/${xs.id}/split`)
      .set(bearer(t.operatorKey))
      .send({ creditCode: SOLAR.creditCode, name: SOLAR.name, province: SOLAR.province, reason: 'nothing' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.code).toBe('spelling_not_linked');
  });
});

describe('an operator decides the figures of a project its banks declared differently', () => {
  it('when the banks declared different reductions, then the operator sees the conflict, decides, and the attributed tonnes add up to at most the project’s reduction in new versions of the compiled quarter', async () => {
    const p = uniqueCode('');
    const bankP = await createInstitution(t, { code: uniqueCode('PRP') });
    const bankQ = await createInstitution(t, { code: uniqueCode('PRQ') });
    const STORAGE = { creditCode: validCreditCode(7004), name: '某某储能电站', province: '浙江省', totalInvestment: '100000000.00' };
    // P declares 50,000 t a year and lends 40,000,000.00: 50,000 × 40/100 = 20,000.00 t
    const fromP = await loanTo(bankP, { ...STORAGE, annualReductionTonnes: '50000.00' }, '40000000.00', { loanRef: `P-${p}` });
    // Q declares 100,000 t and lends 50,000,000.00: 100,000 × 50/100 = 50,000.00 t — together 70,000 t
    const fromQ = await loanTo(bankQ, { ...STORAGE, annualReductionTonnes: '100000.00' }, '50000000.00', { loanRef: `Q-${p}` });
    expect([fromP.status, fromQ.status]).toEqual([201, 201]);
    await supportLoans(t, bankP.id, [{ id: fromP.body.id, principalFen: 4_000_000_000n }]);
    await supportLoans(t, bankQ.id, [{ id: fromQ.body.id, principalFen: 5_000_000_000n }]);
    await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
    const latest = (bank: Bank) =>
      eventually(async () => {
        const res = await request(t.app).get(`/api/v1/disclosures/${bank.code}/2022Q3`).set(bearer(bank.apiKey));
        return res.status === 200 ? res.body : null;
      }, `${bank.code} 2022Q3`);
    expect((await latest(bankP)).horizons.quarter.annualReductionTonnes).toBe('20000.00');
    expect((await latest(bankQ)).horizons.quarter.annualReductionTonnes).toBe('50000.00');

    // the conflict is listed for the operators, with both declarations
    const [entry] = await projectsOf(STORAGE.creditCode);
    const listed = (await request(t.app).get('/api/v1/projects').set(bearer(t.operatorKey)).expect(200)).body.items.find(
      (i: { id: string }) => i.id === entry.id,
    );
    expect(listed.state).toMatchObject({ conflict: true, overfunded: false });
    expect(listed.declared.map((d: { annualReductionTonnes: string }) => d.annualReductionTonnes).sort()).toEqual([
      '100000.00',
      '50000.00',
    ]);

    await fourEyes(`/api/v1/projects/${entry.id}/decision`, {
      totalInvestment: '100000000.00',
      annualReductionTonnes: '50000.00',
      reason: 'the environmental impact assessment of 2022-05',
    });

    // decided: 50,000 × 40/100 = 20,000.00 t (P unchanged), 50,000 × 50/100 = 25,000.00 t (Q): 45,000.00 t ≤ 50,000 t
    const decided = await project(entry.id);
    expect(decided.state.conflict).toBe(false);
    expect(decided.attributedAnnualReductionTonnes).toBe('45000.00');
    const q = await latest(bankQ);
    expect(q.version).toBe(2);
    expect(q.horizons.quarter.annualReductionTonnes).toBe('25000.00');
    const pv = await latest(bankP);
    expect(pv.version).toBe(1);
    expect(pv.horizons.quarter.annualReductionTonnes).toBe('20000.00');
    const sum = Number(q.horizons.quarter.annualReductionTonnes) + Number(pv.horizons.quarter.annualReductionTonnes);
    expect(sum).toBeLessThanOrEqual(50_000);
    // the over-funding check now uses the decided investment: 90,000,000.00 + 10,000,000.01 exceeds by 0.01
    const over = await loanTo(bankQ, { ...STORAGE, annualReductionTonnes: '100000.00' }, '10000000.01');
    expect(over.status).toBe(422);
    expect(over.body.errors[0].message).toContain('by 0.01');
  });

  it('when a decision names figures without a reason or a project that does not exist, then it is refused and nothing is proposed', async () => {
    const none = await request(t.app)
      .post('/api/v1/projects/00000000-0000-4000-8000-000000000000/decision')
      .set(bearer(t.operatorKey))
      .send({ totalInvestment: '1.00', annualReductionTonnes: '1.00', reason: 'x' });
    expect(none.status).toBe(404);
    const bad = await request(t.app)
      .post('/api/v1/projects/00000000-0000-4000-8000-000000000000/decision')
      .set(bearer(t.operatorKey))
      .send({ totalInvestment: '1.001', annualReductionTonnes: '1.00' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['reason', 'totalInvestment']);
  });
});
