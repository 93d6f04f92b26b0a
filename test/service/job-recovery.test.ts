/**
 * Recovery in seconds: a worker process killed (SIGKILL) in the middle of an upload's job; another
 * worker takes the job up again once its short lock runs out, the upload says "interrupted, resuming"
 * and ends with every loan written once. A service killed while a request held its Idempotency-Key:
 * a retry with the same key is answered once the dead claim's lease runs out.
 */
import http from 'node:http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../process/embedded/process-tools.js';
import { loanRequest } from '../factories/loans.js';
import { csvFile, loanCells } from '../factories/uploads.js';
import { createTestDatabase } from '../support/harness.js';
import { call, createBankThrough, startServiceProcess, startWorkerProcess, type ServiceProcess } from '../support/processes.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'job-recovery-operator-key-0123456789';
const skip = process.env.TEST_DRIVER === 'pglite';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
const started: ServiceProcess[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  env = {
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    CERF_QUEUE_PREFIX: `r${process.pid}${Math.floor(Math.random() * 1e6)}`,
    CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
  };
}, PROCESS_WAIT_MS);
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await client?.end();
  await database?.close();
});

const one = async (text: string, values: unknown[] = []) => (await client.query(text, values)).rows[0];

/** multipart/form-data of an upload: the kind, then the file */
function uploadForm(boundary: string, file: Buffer) {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nloans\r\n`;
  const filePart = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="loans.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  return { head: Buffer.from(head), rest: Buffer.concat([Buffer.from(filePart), file, Buffer.from(`\r\n--${boundary}--\r\n`)]) };
}

async function sendUpload(url: string, key: string, file: Buffer, idempotencyKey?: string) {
  const form = new FormData();
  form.set('kind', 'loans');
  form.set('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), 'loans.csv');
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(`${url}/api/v1/uploads`, { method: 'POST', headers, body: form });
  return { status: res.status, body: await res.json() };
}

describe.skipIf(skip)('recovery after a killed process', () => {
  it(
    'when the worker running an upload is killed, then another worker takes the job up again, the upload says interrupted, resuming, and every loan is written once',
    async () => {
      const service = await startServiceProcess(env);
      started.push(service);
      const bank = await createBankThrough(service.url, OPERATOR_KEY);
      const n = 20_000;
      const file = csvFile(
        'loans',
        Array.from({ length: n }, () => loanCells(loanRequest())),
      );
      const first = startWorkerProcess(env);
      started.push(first);
      const sent = await sendUpload(service.url, bank.apiKey, file);
      expect(sent.status).toBe(202);
      const uploadPath = `/api/v1/uploads/${sent.body.id}`;
      // the first worker is reading the file (its progress is written as it goes): kill it
      await waitFor(
        async () => {
          const res = await call(service.url, 'GET', uploadPath, { key: bank.apiKey });
          if (!['queued', 'running'].includes(res.body.status)) throw new Error(`the upload ended before the kill: ${res.text}`);
          return res.body.status === 'running' && res.body.rowsRead > 0;
        },
        'the upload to be read',
        PROCESS_WAIT_MS,
      );
      first.child.kill('SIGKILL');
      started.push(startWorkerProcess(env));
      let finished: any = null;
      await waitFor(
        async () => {
          const res = await call(service.url, 'GET', uploadPath, { key: bank.apiKey });
          if (['queued', 'running'].includes(res.body.status)) return false;
          finished = res.body;
          return true;
        },
        'the upload to be taken up again and finished',
        PROCESS_WAIT_MS,
      );
      expect(finished).toMatchObject({
        status: 'completed',
        interrupted: false,
        counts: { created: n, unchanged: 0, error: 0 },
        rowsRead: n,
      });
      // the second run started over an upload still marked running: it resumed it (and said so while it ran)
      expect((await one('select resumed_at from uploads where id = $1', [sent.body.id])).resumed_at).not.toBeNull();
      const institution = await one('select id from institutions where code = $1', [bank.code]);
      expect(Number((await one('select count(*) from loans where institution_id = $1', [institution.id])).count)).toBe(n);
      expect((await one(`select status from outbox where queue = 'upload'`)).status).toBe('done');
    },
    PROCESS_TEST_MS,
  );

  it(
    'when the service dies while a request holds its Idempotency-Key, then a retry with the key is answered once the claim lapses, and the upload is queued once',
    async () => {
      const service = await startServiceProcess(env);
      started.push(service);
      const bank = await createBankThrough(service.url, OPERATOR_KEY);
      const file = csvFile('loans', [loanCells(loanRequest()), loanCells(loanRequest())]);
      const boundary = 'recoveryboundary';
      const form = uploadForm(boundary, file);
      // a request that claims its key and stalls while it sends its form
      const stalled = http.request(`${service.url}/api/v1/uploads`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bank.apiKey}`,
          'idempotency-key': 'dies-with-its-process',
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      });
      stalled.on('error', () => undefined);
      stalled.write(form.head);
      await waitFor(
        async () => Number((await one(`select count(*) from idempotency_keys where key = 'dies-with-its-process'`)).count) === 1,
        'the key to be claimed',
        PROCESS_WAIT_MS,
      );
      service.child.kill('SIGKILL');
      stalled.destroy();
      const next = await startServiceProcess(env);
      started.push(next);
      const early = await sendUpload(next.url, bank.apiKey, file, 'dies-with-its-process');
      expect(early).toMatchObject({ status: 409, body: { code: 'idempotency_key_in_use' } });
      let answer: Awaited<ReturnType<typeof sendUpload>> | null = null;
      await waitFor(
        async () => {
          answer = await sendUpload(next.url, bank.apiKey, file, 'dies-with-its-process');
          return answer.status !== 409;
        },
        'the dead claim to lapse',
        PROCESS_WAIT_MS,
      );
      expect(answer!.status).toBe(202);
      const replay = await sendUpload(next.url, bank.apiKey, file, 'dies-with-its-process');
      expect(replay).toMatchObject({ status: 202, body: { id: answer!.body.id } });
      const institution = await one('select id from institutions where code = $1', [bank.code]);
      expect(
        Number((await one(`select count(*) from uploads where institution_id = $1 and status <> 'receiving'`, [institution.id])).count),
      ).toBe(1);
    },
    PROCESS_TEST_MS,
  );
});
