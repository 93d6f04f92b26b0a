/**
 * The Redis-loss drill: the database is the source of truth. Redis is emptied (FLUSHALL) while a
 * quarter's compilations wait in it, again while verifier assignments wait, and its server is killed
 * and restarted empty while publications wait. Every disclosure still completes exactly once.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { disclosureVersions, outbox, verificationAssignments } from '../../db/schema/index.js';
import { randomPrefix, type JobRuntime } from '../../jobs/runtime.js';
import { startRedisServer, type EmbeddedRedis } from '../../process/embedded/redis-server.js';
import { createInstitution } from '../factories/institutions.js';
import { eventually, startJobs, stopJobs, submitLoan, supportLoans, uniqueCode } from '../factories/disclosures.js';
import { bearer, createTestApp, type TestApp } from '../support/harness.js';

const BANKS = 4;
let t: TestApp;
let redisDir: string;
let redisServer: EmbeddedRedis;
let relay: JobRuntime;
const prefix = randomPrefix();
const banks: { id: string; code: string; apiKey: string }[] = [];
const verifiers: { id: string; code: string; apiKey: string }[] = [];
let hook: Server;
const received: { delivery: string; event: string; institution: string }[] = [];

const waitingJobs = async (runtime: JobRuntime) => {
  let n = 0;
  for (const q of Object.values(runtime.queues)) n += await q.getWaitingCount();
  return n;
};
const flushAll = async () => {
  const r = new Redis(redisServer.url);
  await r.flushall();
  r.disconnect();
};

beforeAll(async () => {
  t = await createTestApp({ now: '2022-10-10T02:00:00Z' });
  redisDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-drill-'));
  redisServer = await startRedisServer({ dataDir: redisDir, persist: false });
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      received.push({ delivery: String(req.headers['x-cerf-delivery']), event: parsed.event, institution: parsed.data.institution });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  for (let i = 0; i < 2; i++) verifiers.push(await createInstitution(t, { code: uniqueCode('DV'), kind: 'verifier' }));
  for (let i = 0; i < BANKS; i++) {
    const bank = await createInstitution(t, { code: uniqueCode('DB') });
    banks.push(bank);
    const loans = [];
    for (let j = 0; j < 2; j++) {
      const id = await submitLoan(t, bank.apiKey, { principal: '10000000.00', disbursedOn: `2022-0${7 + j}-1${i}` });
      loans.push({ id, principalFen: 1_000_000_000n });
    }
    await supportLoans(t, bank.id, loans);
    await request(t.app).post('/api/v1/webhooks').set(bearer(bank.apiKey)).send({ url: hookUrl }).expect(201);
  }
  // the service side: relay and reconciler only, no workers yet
  relay = await startJobs(t, { redisUrl: redisServer.url, prefix, workers: 'off' });
});

afterAll(async () => {
  await stopJobs(relay).catch(() => undefined);
  await t.close();
  await redisServer.stop();
  hook.close();
  rmSync(redisDir, { recursive: true, force: true });
});

describe('Redis loss during a quarter', () => {
  it('when Redis is emptied during compilation, assignment and publication, then every disclosure completes exactly once', async () => {
    // 1. compilation: the quarter's job reaches Redis, then Redis is emptied before any worker takes it
    const compiled = await request(t.app).post('/api/v1/disclosures/compile').set(bearer(t.operatorKey)).send({ quarter: '2022Q3' });
    expect(compiled.status).toBe(202);
    expect(compiled.body.banks).toHaveLength(BANKS);
    await eventually(async () => (await waitingJobs(relay)) === 1, "the quarter's compile job in Redis");
    await flushAll();
    expect(await waitingJobs(relay)).toBe(0);
    let workers = await startJobs(t, { redisUrl: redisServer.url, prefix, plug: false });
    await eventually(
      async () => (await t.database.db.select().from(disclosureVersions)).length === BANKS,
      'every bank compiled after the flush',
    );

    // 2. verification: every bank submits, the operator assigns by rule; Redis is emptied while the assign jobs wait
    await stopJobs(workers);
    for (const bank of banks)
      await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/submit`).set(bearer(bank.apiKey)).expect(200);
    for (const bank of banks) {
      const r = await request(t.app)
        .post(`/api/v1/disclosures/${bank.code}/2022Q3/assign`)
        .set(bearer(t.operatorKey))
        .send({ rule: 'least_loaded', randomSampleSize: 5 });
      expect(r.status).toBe(202);
    }
    await eventually(async () => (await relay.queues.assign.getWaitingCount()) === BANKS, 'assign jobs in Redis');
    await flushAll();
    workers = await startJobs(t, { redisUrl: redisServer.url, prefix, plug: false });
    await eventually(
      async () => (await t.database.db.select().from(verificationAssignments)).length === BANKS,
      'every disclosure assigned after the flush',
    );
    const assignments = await t.database.db.select().from(verificationAssignments);
    // the rule spreads the work: two each
    expect(assignments.filter((a) => a.verifierId === verifiers[0].id)).toHaveLength(BANKS / 2);

    // 3. verdicts; the publication jobs wait in Redis; the Redis server is killed and restarted empty
    await stopJobs(workers);
    for (const a of assignments) {
      const v = verifiers.find((x) => x.id === a.verifierId)!;
      const [version] = await t.database.db.select().from(disclosureVersions).where(eq(disclosureVersions.id, a.disclosureVersionId));
      const bank = banks.find((b) => b.id === version.institutionId)!;
      const detail = await request(t.app).get(`/api/v1/verification/assignments/${a.id}`).set(bearer(v.apiKey));
      const findings = detail.body.sample.map((s: { loanId: string }) => ({ loanId: s.loanId, check: 'reduction', outcome: 'pass' }));
      await request(t.app).post(`/api/v1/disclosures/${bank.code}/2022Q3/findings`).set(bearer(v.apiKey)).send({ findings }).expect(201);
      await request(t.app)
        .post(`/api/v1/disclosures/${bank.code}/2022Q3/verdict`)
        .set(bearer(v.apiKey))
        .send({ verdict: 'verified', summary: 'ok' })
        .expect(200);
    }
    await eventually(async () => (await relay.queues.publish.getWaitingCount()) === BANKS, 'publish jobs in Redis');
    const port = redisServer.port;
    await redisServer.stop();
    redisServer = await startRedisServer({ dataDir: redisDir, port, persist: false });
    workers = await startJobs(t, { redisUrl: redisServer.url, prefix, plug: false });
    await eventually(async () => {
      const rows = await t.database.db.select().from(disclosureVersions);
      return rows.every((r) => r.status === 'published');
    }, 'every disclosure published after the restart');
    await eventually(async () => {
      const open = (await t.database.db.select().from(outbox)).filter((r) => r.status !== 'done');
      return open.length === 0;
    }, 'every outbox job done');
    await stopJobs(workers);

    // exactly once: one version per bank, one assignment per version, one publication notice per bank
    const versions = await t.database.db.select().from(disclosureVersions);
    expect(versions.map((v) => v.version)).toEqual(Array(BANKS).fill(1));
    expect(new Set(versions.map((v) => v.institutionId)).size).toBe(BANKS);
    const published = received.filter((r) => r.event === 'disclosure.published');
    expect(published.map((r) => r.institution).sort()).toEqual(banks.map((b) => b.code).sort());
    expect(received.filter((r) => r.event === 'disclosure.compiled')).toHaveLength(BANKS);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  });
});
