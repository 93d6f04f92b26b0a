import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSample } from '../../domain/verification/sample.js';
import type { JobRuntime } from '../../jobs/runtime.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

let t: TestApp;
let jobs: JobRuntime;
let bank: { id: string; code: string; apiKey: string };
let conflicted: { id: string; code: string; apiKey: string };
let other: { id: string; code: string; apiKey: string };
const loans: { id: string; principalFen: bigint }[] = [];
let hooks: Server;
let hookBase = '';
const bankHits: { signature: string; body: string; event: string }[] = [];
let failingHits = 0;
let stillFailing = true;

const D = () => `/api/v1/disclosures/${bank.code}/2022Q3`;

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-12T02:00:00Z' });
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/fail') {
        failingHits += 1;
        return void res.writeHead(stillFailing ? 500 : 200).end();
      }
      bankHits.push({ signature: String(req.headers['x-cerf-signature']), body, event: String(req.headers['x-cerf-event']) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(hooks.address() as { port: number }).port}`;
  jobs = await startJobs(t, { retry: { attempts: 3, backoffMs: 10 } });
  bank = await createInstitution(t, { code: uniqueCode('VB') });
  // codes chosen so that the rule would pick the conflicted verifier first if it ignored conflicts
  conflicted = await createInstitution(t, { code: uniqueCode('AAV'), kind: 'verifier' });
  other = await createInstitution(t, { code: uniqueCode('ZZV'), kind: 'verifier' });
  for (let i = 0; i < 12; i++) {
    const principal = i < 2 ? '300000000.00' : `${10_000_000 + i * 1_000_000}.00`;
    const id = await submitLoan(t, bank.apiKey, {
      principal,
      disbursedOn: `2022-08-${String(10 + i).padStart(2, '0')}`,
      project: { totalInvestment: '900000000.00' },
    });
    loans.push({ id, principalFen: BigInt(principal.replace('.', '')) });
  }
  await supportLoans(t, bank.id, loans);
});
afterAll(async () => {
  await stopJobs(jobs);
  await t.close();
  hooks.close();
});

describe('verification', () => {
  it('when the bank has a webhook, then the compiled notice arrives signed with HMAC-SHA256 over the timestamp and body', async () => {
    const sub = await request(t.app)
      .post('/api/v1/webhooks')
      .set(bearer(bank.apiKey))
      .send({ url: `${hookBase}/bank` });
    expect(sub.status).toBe(201);
    await request(t.app)
      .post('/api/v1/webhooks')
      .set(bearer(conflicted.apiKey))
      .send({ url: `${hookBase}/fail` })
      .expect(201);
    await request(t.app)
      .post('/api/v1/webhooks')
      .set(bearer(other.apiKey))
      .send({ url: `${hookBase}/fail` })
      .expect(201);
    await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' }).expect(202);
    const hit = await eventually(async () => bankHits.find((h) => h.event === 'disclosure.compiled'), 'compiled webhook');
    const [, ts, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(hit.signature)!;
    expect(createHmac('sha256', sub.body.secret).update(`${ts}.${hit.body}`).digest('hex')).toBe(mac);
    expect(JSON.parse(hit.body).data).toMatchObject({ institution: bank.code, quarter: '2022Q3', version: 1 });
  });

  it('when the operator names a verifier conflicted with the bank, then 409 verifier_conflicted and the rule picks another', async () => {
    await request(t.app)
      .post(`/api/v1/verifiers/${conflicted.code}/conflicts`)
      .set(bearer(t.operatorKey))
      .send({ bank: bank.code, reason: 'audits the bank' })
      .expect(201);
    await request(t.app).post(`${D()}/submit`).set(bearer(bank.apiKey)).expect(200);
    const refused = await request(t.app).post(`${D()}/assign`).set(bearer(t.operatorKey)).send({ verifier: conflicted.code });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('verifier_conflicted');
    const still = await request(t.app).get(D()).set(bearer(bank.apiKey));
    expect(still.body.status).toBe('submitted');

    const byRule = await request(t.app)
      .post(`${D()}/assign`)
      .set(bearer(t.operatorKey))
      .send({ rule: 'least_loaded', seed: 'seed-1', materialityThreshold: '200000000.00', randomSampleSize: 3 });
    expect(byRule.status).toBe(202);
    const assigned = await eventually(async () => {
      const r = await request(t.app).get(D()).set(bearer(bank.apiKey));
      return r.body.status === 'under_verification' ? r.body : undefined;
    }, 'rule assignment');
    expect(assigned.verification.verifier).toBe(other.code);
  });

  it('when a verifier is not assigned, then it sees no assignment, no draft and cannot record findings', async () => {
    const queue = await request(t.app).get('/api/v1/verification/assignments').set(bearer(conflicted.apiKey));
    expect(queue.body.items).toEqual([]);
    const mine = await request(t.app).get('/api/v1/verification/assignments').set(bearer(other.apiKey));
    const id = mine.body.items[0].id;
    expect((await request(t.app).get(`/api/v1/verification/assignments/${id}`).set(bearer(conflicted.apiKey))).status).toBe(404);
    expect((await request(t.app).get(D()).set(bearer(conflicted.apiKey))).status).toBe(404);
    const findings = await request(t.app)
      .post(`${D()}/findings`)
      .set(bearer(conflicted.apiKey))
      .send({ findings: [{ loanId: loans[0].id, check: 'amount', outcome: 'pass' }] });
    expect(findings.status).toBe(404);
  });

  it('when the sample is drawn, then it is every loan above the threshold plus the seeded draw, reproducible from the seed', async () => {
    const mine = await request(t.app).get('/api/v1/verification/assignments').set(bearer(other.apiKey));
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${mine.body.items[0].id}`).set(bearer(other.apiKey));
    expect(detail.body.sampling).toEqual({ seed: 'seed-1', materialityThreshold: '200000000.00', randomSampleSize: 3 });
    const expected = drawSample({ candidates: loans, materialityFen: 20_000_000_000n, randomSampleSize: 3, seed: 'seed-1' });
    expect(detail.body.sample.map((s: { loanId: string; reason: string }) => [s.loanId, s.reason])).toEqual(
      expected.map((s) => [s.id, s.reason]),
    );
    expect(
      detail.body.sample
        .filter((s: { reason: string }) => s.reason === 'material')
        .map((s: { loanId: string }) => s.loanId)
        .sort(),
    ).toEqual([loans[0].id, loans[1].id].sort());
  });

  it('when the verifier rejects with a failed check, then the bank corrects it as version 2 and the same seed draws the same sample', async () => {
    const mine = await request(t.app).get('/api/v1/verification/assignments').set(bearer(other.apiKey));
    const detail = await request(t.app).get(`/api/v1/verification/assignments/${mine.body.items[0].id}`).set(bearer(other.apiKey));
    const sampleIds = detail.body.sample.map((s: { loanId: string }) => s.loanId);
    const notSampled = loans.find((l) => !sampleIds.includes(l.id))!;
    const outside = await request(t.app)
      .post(`${D()}/findings`)
      .set(bearer(other.apiKey))
      .send({ findings: [{ loanId: notSampled.id, check: 'amount', outcome: 'pass' }] });
    expect(outside.status).toBe(422);
    expect(outside.body.errors[0]).toMatchObject({ path: 'findings.0.loanId', code: 'loan_not_in_sample' });
    const findings = sampleIds.map((loanId: string, i: number) => ({
      loanId,
      check: 'evidence',
      outcome: i === 0 ? 'fail' : 'pass',
      note: i === 0 ? '证明材料哈希不符' : undefined,
    }));
    await request(t.app).post(`${D()}/findings`).set(bearer(other.apiKey)).send({ findings }).expect(201);
    const wrong = await request(t.app).post(`${D()}/verdict`).set(bearer(other.apiKey)).send({ verdict: 'verified', summary: 'x' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0].code).toBe('verified_with_failed_findings');
    const rejected = await request(t.app)
      .post(`${D()}/verdict`)
      .set(bearer(other.apiKey))
      .send({ verdict: 'rejected', summary: '一笔贷款证明材料不符' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');

    const early = await request(t.app).post(`${D()}/publish`).set(bearer(t.operatorKey));
    expect(early.body).toMatchObject({ code: 'illegal_transition', currentStatus: 'rejected' });
    const corrected = await request(t.app).post(`${D()}/versions`).set(bearer(bank.apiKey)).send({ reason: '更正核查发现的证明材料问题' });
    expect(corrected.status).toBe(202);
    expect(corrected.body).toMatchObject({ version: 2, kind: 'correction' });
    const v2 = await eventually(async () => {
      const r = await request(t.app).get(`${D()}?version=2`).set(bearer(bank.apiKey));
      return r.status === 200 ? r.body : undefined;
    }, 'version 2');
    expect(v2).toMatchObject({ status: 'compiled', previousVersion: 1, restatesVersion: null });
    const tooSoon = await request(t.app).post(`${D()}/versions`).set(bearer(bank.apiKey)).send({ reason: 'again' });
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.currentStatus).toBe('compiled');
    const v1 = await request(t.app).get(`${D()}?version=1`).set(bearer(bank.apiKey));
    expect(v1.body).toMatchObject({ status: 'rejected', verification: { verdict: 'rejected' } });

    await request(t.app).post(`${D()}/submit`).set(bearer(bank.apiKey)).expect(200);
    await request(t.app)
      .post(`${D()}/assign`)
      .set(bearer(t.operatorKey))
      .send({ verifier: other.code, seed: 'seed-1', materialityThreshold: '200000000.00', randomSampleSize: 3 })
      .expect(200);
    const queue = await request(t.app).get('/api/v1/verification/assignments?open=true').set(bearer(other.apiKey));
    expect(queue.body.items).toHaveLength(1);
    expect(queue.body.items[0].disclosure.version).toBe(2);
    const again = await request(t.app).get(`/api/v1/verification/assignments/${queue.body.items[0].id}`).set(bearer(other.apiKey));
    expect(again.body.sample.map((s: { loanId: string }) => s.loanId)).toEqual(sampleIds);
  });

  it('when a verifier endpoint keeps failing, then the delivery is retried and its failure is visible', async () => {
    const deliveries = await eventually(async () => {
      const r = await request(t.app).get('/api/v1/webhooks/deliveries').set(bearer(other.apiKey));
      return r.body.items.length >= 2 && r.body.items.every((d: { status: string }) => d.status === 'failed') ? r.body.items : undefined;
    }, 'failed deliveries');
    expect(deliveries[0]).toMatchObject({
      event: 'disclosure.assigned',
      status: 'failed',
      attempts: 3,
      responseStatus: 500,
      lastError: 'HTTP 500',
    });
    expect(failingHits).toBeGreaterThanOrEqual(6);
    const health = await request(t.app).get('/api/v1/jobs/health').set(bearer(t.operatorKey));
    expect(health.body.outbox).toContainEqual({ queue: 'notify', status: 'failed', count: 2 });

    const failed = await request(t.app).get('/api/v1/jobs/failed').set(bearer(t.operatorKey));
    const job = failed.body.items.find((j: { jobId: string }) => j.jobId.startsWith('notify.disclosure.assigned.'));
    expect(job.lastError).toContain('HTTP 500');
    stillFailing = false;
    const retried = await request(t.app).post(`/api/v1/jobs/${job.jobId}/retry`).set(bearer(t.operatorKey));
    expect(retried.status).toBe(202);
    await eventually(async () => {
      const r = await request(t.app).get('/api/v1/webhooks/deliveries').set(bearer(other.apiKey));
      return r.body.items.some((d: { jobId: string; status: string }) => d.jobId === job.jobId && d.status === 'delivered');
    }, 'delivery after the retry');
    const again = await request(t.app).post(`/api/v1/jobs/${job.jobId}/retry`).set(bearer(t.operatorKey));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('job_not_failed');
  });
});
