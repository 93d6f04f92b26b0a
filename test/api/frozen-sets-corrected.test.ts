/**
 * A correction's frozen loan set is stored as a delta from the set it corrects (db/migrations/0035: the
 * loans it drops and the loans it adds or changes), and every reader of frozen sets answers as for a whole
 * set: the list of loans and its hash, the difference between versions, the verifier's sample, evidence
 * access and the national totals that count a project two banks finance once.
 *
 * 2022Q3: bank S lends 60,000,000.00 to a wind farm it shares with bank T (40,000,000.00; 100,000,000.00
 * of investment, 1,000 t a year: S 600.00 t, T 400.00 t) and 1,000,000.00 to each of seven projects of its
 * own (10,000,000.00 of investment, 100.00 t a year: 10.00 t each). After the quarter is compiled, S amends
 * two of those projects' reductions, one at a time: 100.00 → 150.00 t (15.00 t) and 100.00 → 200.00 t
 * (20.00 t), so versions 2 and 3 each change one loan more of eight. Every loan is at 3.80 %.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRuntime } from '../../jobs/runtime.js';
import { eventually, startJobs, stopJobs, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { createInstitution } from '../factories/institutions.js';
import { loanRequest, validCreditCode, type LoanRequest } from '../factories/loans.js';
import { allChecks, verifyAndPublish } from '../factories/verification.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

let t: TestApp;
let jobs: JobRuntime;
type Bank = Awaited<ReturnType<typeof createInstitution>>;
let s: Bank;
let tBank: Bank;
let verifier: Bank;
type Loan = { id: string; principalFen: bigint; body: LoanRequest };
const own: Loan[] = [];
let wind: Loan;
const STUDY = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% wind farm study\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const BORROWER = { name: '某某风能有限公司', creditCode: validCreditCode(7310) };
const WIND = {
  name: '某某风电场（二期）',
  province: '内蒙古自治区',
  subArea: 'CE.WIND',
  totalInvestment: '100000000.00',
  annualReductionTonnes: '1000.00',
  evidence: { title: '可行性研究报告', sha256: sha(STUDY) },
};
const path = () => `/api/v1/disclosures/${s.code}/2022Q3`;
const asOperator = (url: string) => request(t.app).get(url).set(bearer(t.operatorKey));

async function loan(bank: { apiKey: string }, body: LoanRequest): Promise<Loan> {
  const res = await request(t.app).post('/api/v1/loans').set(bearer(bank.apiKey)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, principalFen: BigInt(body.principal.replace('.', '')), body };
}

async function amendReduction(l: Loan, tonnes: string) {
  const amended = { ...l.body, project: { ...l.body.project, annualReductionTonnes: tonnes } };
  const res = await request(t.app)
    .post(`/api/v1/loans/${l.id}/amendments`)
    .set(bearer(s.apiKey))
    .send({ reason: '可研报告更新', loan: amended });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  l.body = amended;
}

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-20T04:00:00Z' });
  jobs = await startJobs(t);
  s = await createInstitution(t, { code: uniqueCode('FSS'), nameZh: '甲银行', nameEn: 'Bank S' });
  tBank = await createInstitution(t, { code: uniqueCode('FST'), nameZh: '乙银行', nameEn: 'Bank T' });
  verifier = await createInstitution(t, { code: uniqueCode('FSV'), kind: 'verifier', nameZh: '核验所', nameEn: 'Verifier' });
  const common = { annualRatePercent: '3.80', disbursedOn: '2022-08-15', maturesOn: '2030-08-15' };
  wind = await loan(s, loanRequest({ ...common, borrower: BORROWER, project: { ...WIND, ref: 'S-WIND' }, principal: '60000000.00' }));
  for (let i = 1; i <= 7; i++)
    own.push(
      await loan(
        s,
        loanRequest({
          ...common,
          principal: '1000000.00',
          project: { ref: `S-OWN-${i}`, subArea: 'CE.SOLAR', totalInvestment: '10000000.00', annualReductionTonnes: '100.00' },
        }),
      ),
    );
  const fromT = await loan(
    tBank,
    loanRequest({ ...common, borrower: BORROWER, project: { ...WIND, ref: 'T-WIND' }, principal: '40000000.00' }),
  );
  await supportLoans(t, s.id, [wind, ...own]);
  await supportLoans(t, tBank.id, [fromT]);
  await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
  await eventually(async () => (await asOperator(`${path()}?version=1`)).status === 200, 'S 2022Q3 compiled');
  // the corrections: each amendment compiles S's next version at once
  await amendReduction(own[0], '150.00');
  await amendReduction(own[1], '200.00');
}, PROCESS_TEST_MS);
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
});

/** Each of S's loans as the list shows it, with its attributed reduction by hand. */
const expectedLoans = () =>
  [
    { l: wind, tonnes: '600.00', projectRef: 'S-WIND', subArea: 'CE.WIND', principal: '60000000.00' },
    ...own.map((l, i) => ({
      l,
      tonnes: i === 0 ? '15.00' : i === 1 ? '20.00' : '10.00',
      projectRef: `S-OWN-${i + 1}`,
      subArea: 'CE.SOLAR',
      principal: '1000000.00',
    })),
  ]
    .map((x) => ({
      loanId: x.l.id,
      loanRef: x.l.body.loanRef,
      principal: x.principal,
      attributedAnnualReductionTonnes: x.tonnes,
      projectRef: x.projectRef,
      subArea: x.subArea,
    }))
    .sort((a, b) => (a.loanId < b.loanId ? -1 : 1));

describe('a correction that changes one loan of eight', () => {
  it('stores only what it changes: versions 2 and 3 each keep the first set as their base and hold the one or two loans they change', async () => {
    const rows = (
      (await t.database.db.execute(sql`
        select v.version, s.base_key is not null as delta, coalesce(cardinality(s.dropped), 0) as dropped, cardinality(s.list) as held, s.loans,
          s.base_key = (select loan_set_key from disclosure_versions where id = (select id from disclosure_versions w where w.institution_id = v.institution_id and w.quarter = v.quarter and w.version = 1)) as on_first
        from disclosure_versions v join disclosure_loan_sets s on s.key = v.loan_set_key
        where v.institution_id = ${s.id}::uuid and v.quarter = '2022Q3' order by v.version`)) as unknown as {
        rows: Record<string, unknown>[];
      }
    ).rows;
    expect(rows).toEqual([
      { version: 1, delta: false, dropped: 0, held: 8, loans: 8, on_first: null },
      { version: 2, delta: true, dropped: 1, held: 1, loans: 8, on_first: true },
      { version: 3, delta: true, dropped: 2, held: 2, loans: 8, on_first: true },
    ]);
  });

  it('lists the same eight loans with their figures and the hash of the whole list, in pages and as CSV', async () => {
    const expected = expectedLoans();
    const first = await asOperator(`${path()}/loans?version=3&limit=5`).expect(200);
    const second = await asOperator(`${path()}/loans?version=3&limit=5&cursor=${encodeURIComponent(first.body.nextCursor)}`).expect(200);
    const items = [...first.body.items, ...second.body.items];
    expect(second.body.nextCursor).toBeNull();
    expect(items).toEqual(expected.map((e) => expect.objectContaining({ ...e, annualRatePercent: '3.8000', disbursedOn: '2022-08-15' })));
    // the list's hash by hand: one line per loan in loan-id order (id, reference, fen, ppm, centitonnes, project as JSON, sub-area)
    const lines = expected.map((e) =>
      [
        e.loanId,
        e.loanRef,
        e.principal.replace('.', ''),
        '38000',
        e.attributedAnnualReductionTonnes.replace('.', ''),
        JSON.stringify(e.projectRef),
        e.subArea,
      ].join('\t'),
    );
    expect(first.body.loanSet).toEqual({ loans: 8, sha256: sha(lines.join('\n')) });
    const csv = await asOperator(`${path()}/loans.csv?version=3`).expect(200);
    expect(
      csv.text
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0].replace(/"/g, '')),
    ).toEqual(expected.map((e) => e.loanId));
    // version 1, the whole set, still as it was compiled
    const v1 = await asOperator(`${path()}/loans?version=1`).expect(200);
    expect(v1.body.items.map((i: { attributedAnnualReductionTonnes: string }) => i.attributedAnnualReductionTonnes).sort()).toEqual(
      ['10.00', '10.00', '10.00', '10.00', '10.00', '10.00', '10.00', '600.00'].sort(),
    );
  });

  it('gives each version its difference from the one before: the one loan it changed', async () => {
    const v2 = (await asOperator(`${path()}?version=2`).expect(200)).body;
    const v3 = (await asOperator(`${path()}?version=3`).expect(200)).body;
    expect(v2.difference.loans).toEqual([
      {
        loanId: own[0].id,
        loanRef: own[0].body.loanRef,
        change: 'changed',
        fields: { attributedCentitonnes: { from: '1000', to: '1500' } },
      },
    ]);
    expect(v3.difference.loans).toEqual([
      {
        loanId: own[1].id,
        loanRef: own[1].body.loanRef,
        change: 'changed',
        fields: { attributedCentitonnes: { from: '1000', to: '2000' } },
      },
    ]);
  });

  it("draws the verifier's sample from the eight loans, lets the verifier read the shared project's evidence, and publishes", async () => {
    await request(t.app)
      .put(`/api/v1/evidence/${sha(STUDY)}`)
      .set(bearer(s.apiKey))
      .set('Content-Type', 'application/pdf')
      .send(STUDY)
      .expect(201);
    await request(t.app).post(`${path()}/submit`).set(bearer(s.apiKey)).send({}).expect(200);
    await request(t.app)
      .post(`${path()}/assign`)
      .set(bearer(t.operatorKey))
      .send({ verifier: verifier.code, seed: 'delta', materialityThreshold: '1.00', randomSampleSize: 0 })
      .expect(200);
    const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(verifier.apiKey)).expect(200);
    const assignment = (queue.body.items as { id: string; disclosure: { institution: string; version: number } }[]).find(
      (i) => i.disclosure.institution === s.code,
    )!;
    expect(assignment.disclosure.version).toBe(3);
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${assignment.id}`).set(bearer(verifier.apiKey)).expect(200);
    // every loan at or above the threshold of 1.00: all eight
    const sampled = (detail.body.sample as { loanId: string }[]).map((l) => l.loanId).sort();
    expect(sampled).toEqual(expectedLoans().map((e) => e.loanId));
    expect(
      (
        await request(t.app)
          .get(`/api/v1/evidence/${sha(STUDY)}`)
          .set(bearer(verifier.apiKey))
      ).status,
    ).toBe(200);
    const stranger = await createInstitution(t, { code: uniqueCode('FSX'), kind: 'verifier' });
    expect(
      (
        await request(t.app)
          .get(`/api/v1/evidence/${sha(STUDY)}`)
          .set(bearer(stranger.apiKey))
      ).status,
    ).toBe(404);
    await request(t.app)
      .post(`${path()}/findings`)
      .set(bearer(verifier.apiKey))
      .send({ findings: allChecks(sampled) })
      .expect(201);
    await request(t.app)
      .post(`${path()}/verdict`)
      .set(bearer(verifier.apiKey))
      .send({ verdict: 'verified', summary: '抽样核验无误' })
      .expect(200);
    await eventually(async () => (await request(t.app).get(`${path()}?version=3`)).body.status === 'published', 'S v3 published');
  });

  it('counts the shared wind farm once in the national totals, from the corrected set', async () => {
    await verifyAndPublish(t, { bank: tBank, verifier, quarter: '2022Q3' });
    const res = await request(t.app).get('/totals.json').expect(200);
    // S: 600 + 15 + 20 + 5 × 10 = 685.00 t over 8 projects and 6,700.00 万元; T: 400.00 t, 4,000.00 万元; the wind farm once
    const byBank = new Map(
      (
        res.body.disclosures as {
          institution: { code: string };
          horizons: { quarter: { projects: number; annualReductionTonnes: string } };
        }[]
      ).map((d) => [d.institution.code, d.horizons.quarter]),
    );
    expect(byBank.get(s.code)).toMatchObject({ projects: 8, annualReductionTonnes: '685.00' });
    expect(byBank.get(tBank.code)).toMatchObject({ projects: 1, annualReductionTonnes: '400.00' });
    expect(res.body.sharedProjects.sinceInception).toMatchObject({
      sharedProjects: 1,
      projectsNotCounted: 1,
      reductionNotCountedTonnes: '0.00',
    });
    expect(res.body.sinceInception).toMatchObject({ projects: 8, loanAmountWanYuan: '10700.00', annualReductionTonnes: '1085.00' });
  });
});
