/**
 * Several processes, one truth: two service processes and two `npm run worker` processes on one
 * PostgreSQL and one Redis. The same batch sent with the same Idempotency-Key to both at once writes
 * once; a quarter's compilation asked of both at once gives one version.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../process/embedded/process-tools.js';
import { loanRequest } from '../factories/loans.js';
import { createTestDatabase } from '../support/harness.js';
import { call, callAll, createBankThrough, startCluster } from '../support/processes.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'several-processes-operator-key-0123456789';
const skip = process.env.TEST_DRIVER === 'pglite';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let cluster: Awaited<ReturnType<typeof startCluster>> | null = null;
let client: pg.Client;

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cluster = await startCluster({ databaseUrl: database.url, redisUrl: inject('redisUrl'), operatorKey: OPERATOR_KEY });
}, PROCESS_TEST_MS);
afterAll(async () => {
  await cluster?.stop();
  await client?.end();
  await database?.close();
});

const count = async (text: string, values: unknown[] = []) => Number((await client.query(text, values)).rows[0].count);
const urls = () => cluster!.services.map((s) => s.url);

/** A bank with `n` loans of 2022 refinanced in the 2022Q4 operation (booked through a historical import). */
async function bankWithSupport(n: number) {
  const code = `SEV${process.pid % 1000}`;
  const created = await call(urls()[0], 'POST', '/api/v1/institutions', {
    key: OPERATOR_KEY,
    body: { code, nameZh: '多进程银行', nameEn: 'Several Processes Bank', kind: 'bank', eligibleFrom: '2021-07-01' },
  });
  expect(created.status, created.text).toBe(201);
  const loans = Array.from({ length: n }, (_, i) =>
    loanRequest({
      loanRef: `SEV-${i}`,
      project: { ref: `SEV-P${i}` },
      principal: '1000000.00',
      annualRatePercent: '3.80',
      disbursedOn: '2022-08-15',
      maturesOn: '2027-06-30',
    }),
  );
  const imported = await call(urls()[0], 'POST', '/api/v1/imports', {
    key: OPERATOR_KEY,
    body: {
      institution: code,
      loans,
      records: [
        { kind: 'operation', quarter: '2022Q4', volume: '100000000000.00', on: '2022-10-08' },
        {
          kind: 'application',
          ref: 'SEV-A',
          on: '2022-10-15',
          operation: '2022Q4',
          loanRefs: loans.map((l) => l.loanRef),
          collateral: [{ type: 'central_government_bond', ref: 'SEV-B', faceValue: '3000000000.00', marketValue: '3000000000.00' }],
        },
        { kind: 'approval', ref: 'SEV-A-OK', on: '2022-10-20', application: 'SEV-A', reason: 'meets the rules' },
        { kind: 'disbursement', ref: 'SEV-A-T', on: '2022-10-25', application: 'SEV-A' },
      ],
    },
  });
  expect(imported.status, imported.text).toBe(201);
  return code;
}

describe('several processes, one truth', () => {
  it.skipIf(skip)('when the same batch with the same Idempotency-Key reaches both services at once, then it is written once', async () => {
    const bank = await createBankThrough(urls()[0], OPERATOR_KEY);
    const loans = Array.from({ length: 200 }, (_, i) => loanRequest({ loanRef: `TWICE-${i}`, project: { ref: `TWICE-P${i}` } }));
    const answers = await callAll(urls(), 'POST', '/api/v1/loans/batch', {
      key: bank.apiKey,
      body: { loans },
      idempotencyKey: 'same-batch-both-services',
    });
    // one carries it out; the other replays its answer or is told the first is still running
    const done = answers.filter((a) => a.status === 200);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) {
      if (a.status === 409) expect(a.body.code).toBe('idempotency_key_in_use');
      else expect(a.status, a.text).toBe(200);
    }
    expect(done[0].body.summary).toEqual({ created: 200, unchanged: 0, error: 0 });
    if (done.length === 2) expect(done[1].body).toEqual(done[0].body);
    expect(await count(`select count(*) from loans where loan_ref like 'TWICE-%'`)).toBe(200);
    // asked again of both, both replay the one answer, and nothing more is written
    const again = await callAll(urls(), 'POST', '/api/v1/loans/batch', {
      key: bank.apiKey,
      body: { loans },
      idempotencyKey: 'same-batch-both-services',
    });
    for (const a of again) {
      expect(a.status).toBe(200);
      expect(a.headers.get('idempotent-replayed')).toBe('true');
      expect(a.body).toEqual(done[0].body);
    }
    expect(await count(`select count(*) from loans where loan_ref like 'TWICE-%'`)).toBe(200);
  });

  it.skipIf(skip)('when a quarter is compiled from both services at once, then the workers compile one version', async () => {
    const code = await bankWithSupport(20);
    const answers = await callAll(urls(), 'POST', '/api/v1/disclosures/compile', { key: OPERATOR_KEY, body: { quarter: '2022Q4' } });
    for (const a of answers) expect(a.status, a.text).toBe(202);
    const jobIds = [...new Set(answers.map((a) => a.body.jobId as string))];
    await waitFor(
      async () => (await count(`select count(*) from outbox where job_id = any($1) and status <> 'done'`, [jobIds])) === 0,
      'the compilation done',
      PROCESS_WAIT_MS,
    );
    await waitFor(
      async () => (await count(`select count(*) from outbox where status in ('pending', 'enqueued')`)) === 0,
      'every job done',
      PROCESS_WAIT_MS,
    );
    const versions = await client.query(
      `select v.version from disclosure_versions v join institutions i on i.id = v.institution_id where i.code = $1 and v.quarter = '2022Q4'`,
      [code],
    );
    expect(versions.rows.map((r) => r.version)).toEqual([1]);
  });

  it.skipIf(skip)('when a second operator confirms the same act on both services at once, then it takes effect once', async () => {
    // the central bank's second operator: the bootstrap lets the first create it without confirmation
    const second = await call(urls()[0], 'POST', '/api/v1/institutions/PBOC/users', { key: OPERATOR_KEY, body: { name: 'checker' } });
    expect(second.status, second.text).toBe(201);
    const proposed = await call(urls()[0], 'POST', '/api/v1/operations', {
      key: OPERATOR_KEY,
      body: { quarter: '2026Q4', volume: '1000000000.00' },
    });
    expect(proposed.status, proposed.text).toBe(202);
    const answers = await callAll(urls(), 'POST', `/api/v1/approvals/${proposed.body.id}/confirm`, {
      key: second.body.apiKey,
      body: {},
    });
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('proposal_not_pending');
    expect(await count(`select count(*) from operations where quarter = '2026Q4'`)).toBe(1);
  });

  it.skipIf(skip)('when a key is revoked through one service, then the other refuses it at once', async () => {
    const bank = await createBankThrough(urls()[0], OPERATOR_KEY);
    const me = await call(urls()[1], 'GET', '/api/v1/me', { key: bank.apiKey });
    expect(me.status, me.text).toBe(200);
    const revoked = await call(urls()[0], 'POST', `/api/v1/keys/${me.body.key.id}/revoke`, { key: OPERATOR_KEY, body: {} });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await call(urls()[1], 'GET', '/api/v1/me', { key: bank.apiKey })).status).toBe(401);
    expect((await call(urls()[0], 'GET', '/api/v1/me', { key: bank.apiKey })).status).toBe(401);
  });
});
