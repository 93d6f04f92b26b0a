/**
 * The newcomer's path: no DATABASE_URL and no REDIS_URL. The service runs PGlite in its data folder
 * and its own redis-server, keeps data across restarts, and stops what it started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tcpReachable, waitFor } from '../../process/embedded/process-tools.js';
import { parseEnv } from '../../schemas/env.js';
import { startService } from '../../process/service.js';
import { loanRequest } from '../factories/loans.js';
import { serviceArgs } from '../../scripts/service-command.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const OPERATOR_KEY = 'embedded-test-operator-key-0123456789';
const json = (key: string, body?: unknown) => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

describe('embedded defaults', () => {
  it(
    'when started without DATABASE_URL and REDIS_URL, then data survives a restart and the own redis-server stops with the service',
    async () => {
      const env = parseEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY });
      const first = await startService(env);
      expect(first.database.driver).toBe('pglite');
      const ready = await fetch(`${first.url}/readyz`).then((r) => r.json());
      expect(ready).toMatchObject({ status: 'ready', checks: { database: 'ok', redis: 'ok' }, driver: 'pglite' });
      const redisPort = Number(new URL(first.redisUrl).port);
      expect(await tcpReachable(redisPort)).toBe(true);

      const bank = await fetch(
        `${first.url}/api/v1/institutions`,
        json(OPERATOR_KEY, { code: 'EMB', nameZh: '嵌入银行', nameEn: 'Embedded Bank', kind: 'bank', eligibleFrom: '2021-11-08' }),
      ).then((r) => r.json());
      const loan = await fetch(
        `${first.url}/api/v1/loans`,
        json(bank.apiKey, loanRequest({ borrower: { name: 'Tab\there, new\nline and back\\slash 公司' } })),
      );
      expect(loan.status).toBe(201);
      const created = await loan.json();
      await first.stop();
      expect(await tcpReachable(redisPort)).toBe(false);
      expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
      expect(existsSync(path.join(dataDir, 'redis'))).toBe(true);

      const second = await startService(env);
      try {
        expect(second.generatedOperatorKey).toBeNull();
        const again = await fetch(`${second.url}/api/v1/loans/${created.id}`, json(bank.apiKey));
        expect(again.status).toBe(200);
        const body = await again.json();
        expect(body.borrower.name).toBe('Tab\there, new\nline and back\\slash 公司');
        expect(body.attributedAnnualReductionTonnes).toBe(created.attributedAnnualReductionTonnes);
      } finally {
        await second.stop();
      }
    },
    PROCESS_TEST_MS,
  );
});

describe('the service process', () => {
  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, serviceArgs('process/start.ts'), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => out, exited };
  };

  it('when a setting is invalid, then the process stops at once naming the variable', async () => {
    const proc = run({ PORT: 'eighty', DATABASE_URL: 'mysql://nope', DATA_DIR: dataDir });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('PORT');
    expect(proc.output()).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  it(
    'when it receives SIGTERM, then it finishes, stops its redis-server and exits 0',
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-process-'));
      const proc = run({ PORT: '0', DATA_DIR: dir, LOG_LEVEL: 'info' });
      try {
        await waitFor(async () => proc.output().includes('cerf-ledger is running'), 'service start', PROCESS_WAIT_MS);
        expect(proc.output()).toMatch(/operator key cerf_\S+/);
        const redisUrl = /"redisUrl":"(redis:\/\/[^"]+)"/.exec(proc.output())?.[1];
        expect(redisUrl).toBeDefined();
        proc.child.kill('SIGTERM');
        expect(await proc.exited).toBe(0);
        expect(proc.output()).toContain('"msg":"stopped"');
        expect(await tcpReachable(Number(new URL(redisUrl!).port))).toBe(false);
      } finally {
        proc.child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    },
    PROCESS_TEST_MS,
  );
});
