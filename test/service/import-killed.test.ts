/**
 * A killed import: the service process is killed (SIGKILL) while it books a large historical import;
 * nothing of it is left in the database, and the same document sent again to a restarted service books
 * it all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitFor } from '../../process/embedded/process-tools.js';
import { loanRequest } from '../factories/loans.js';
import { createTestDatabase } from '../support/harness.js';
import { serviceArgs } from '../../scripts/service-command.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'import-killed-operator-key-0123456789';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
let service: { child: ChildProcess; url: string } | null = null;

async function startServiceProcess() {
  const port = await freePort();
  const child = spawn(process.execPath, serviceArgs('process/start.ts'), {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      CERF_WORKERS: 'off',
      CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
      PORT: String(port),
      DATA_DIR: os.tmpdir(),
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'service', PROCESS_WAIT_MS);
  return { child, url };
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const count = async (sql: string) => Number((await client.query(sql)).rows[0].count);

beforeAll(async () => {
  if (process.env.TEST_DRIVER === 'pglite') return;
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  await client?.end();
  await database?.close();
});

describe('a killed import', () => {
  it.skipIf(process.env.TEST_DRIVER === 'pglite')(
    'when the service is killed while it books an import, then nothing of it is written, and the retry books it all',
    async () => {
      service = await startServiceProcess();
      const created = await post(service.url, '/api/v1/institutions', {
        code: 'KILLED',
        nameZh: '中断银行',
        nameEn: 'Killed Bank',
        kind: 'bank',
        eligibleFrom: '2021-07-01',
      });
      expect(created.status).toBe(201);
      // 8,000 loans of 2022, two applications over them in the 2022Q4 operation, approved and disbursed
      const loans = Array.from({ length: 8000 }, (_, i) =>
        loanRequest({
          loanRef: `K-${i}`,
          project: { ref: `K-P${i}` },
          principal: '1000000.00',
          annualRatePercent: '3.80',
          disbursedOn: `2022-0${(i % 9) + 1}-15`,
          maturesOn: '2027-06-30',
        }),
      );
      const half = (k: number) => loans.filter((_, i) => i % 2 === k).map((l) => l.loanRef);
      const bond = (ref: string) => ({ type: 'central_government_bond', ref, faceValue: '3000000000.00', marketValue: '3000000000.00' });
      const document = {
        institution: 'KILLED',
        loans,
        records: [
          { kind: 'operation', quarter: '2022Q4', volume: '100000000000.00', on: '2022-10-08' },
          ...[0, 1].flatMap((k) => [
            {
              kind: 'application',
              ref: `K-A${k}`,
              on: '2022-10-15',
              operation: '2022Q4',
              loanRefs: half(k),
              collateral: [bond(`K-B${k}`)],
            },
            { kind: 'approval', ref: `K-A${k}-OK`, on: '2022-10-20', application: `K-A${k}`, reason: 'meets the rules' },
            { kind: 'disbursement', ref: `K-A${k}-T`, on: '2022-10-25', application: `K-A${k}` },
          ]),
        ],
      };
      const answer = post(service.url, '/api/v1/imports', document).catch(() => null);
      // inside the import's transaction (it holds the imports lock), after a while of booking: kill
      await waitFor(
        async () => (await count(`select count(*) from pg_locks where locktype = 'advisory' and granted`)) > 0,
        'the import to start',
        PROCESS_WAIT_MS,
      );
      await new Promise((r) => setTimeout(r, 400));
      service.child.kill('SIGKILL');
      expect(await answer).toBeNull();
      await waitFor(
        async () => (await count(`select count(*) from pg_stat_activity where state like 'idle in transaction%'`)) === 0,
        'rollback',
        PROCESS_WAIT_MS,
      );
      expect(await count(`select count(*) from imports`)).toBe(0);
      expect(await count(`select count(*) from loans`)).toBe(0);
      expect(await count(`select count(*) from operations`)).toBe(0);
      expect(await count(`select count(*) from applications`)).toBe(0);
      expect(await count(`select count(*) from journal_entries`)).toBe(0);

      service = await startServiceProcess();
      const retry = await post(service.url, '/api/v1/imports', document);
      expect(retry.status).toBe(201);
      const body = await retry.json();
      expect(body.counts.loans).toEqual({ created: 8000, unchanged: 0 });
      expect(body.counts.records).toMatchObject({ application: { created: 2, unchanged: 0 }, disbursement: { created: 2, unchanged: 0 } });
      expect(await count(`select count(*) from application_loans where active = 1`)).toBe(8000);
      expect(await count(`select count(*) from facilities`)).toBe(2);
      service.child.kill('SIGTERM');
    },
    PROCESS_TEST_MS,
  );
});
