/**
 * A port already taken: the service process says so and exits with status 1 before it opens the
 * database or starts Redis (it never reports itself started), and the demo never loads its data into
 * the process that holds the port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestDatabase } from '../support/harness.js';
import { serviceArgs } from '../../scripts/service-command.js';
import { PROCESS_TEST_MS } from '../support/timeouts.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-port-'));
let other: Server;
let requestsToOther = 0;
let port: number;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  // another process's server on the port: it counts every request it gets
  other = createServer((_req, res) => {
    requestsToOther += 1;
    res.end('not cerf-ledger');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  port = (other.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => other.close(resolve));
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function run(entry: 'process/start.ts' | 'scripts/demo.ts') {
  const child = spawn(process.execPath, serviceArgs(entry), {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      // the suite's PostgreSQL and Redis (on PGlite runs: the embedded defaults in the data folder)
      ...(database.url ? { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl') } : {}),
      LOG_LEVEL: 'silent',
      CERF_BOOTSTRAP_OPERATOR_KEY: 'port-test-operator-key-0123456789',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => out, exited };
}

describe('a port already in use', () => {
  it(
    'when the service starts on a port another process holds, then it exits with status 1 and says which port and what to do, before it opens anything',
    async () => {
      const proc = run('process/start.ts');
      expect(await proc.exited).toBe(1);
      // the port is taken first: no database, migrations or redis-server were started in the data folder
      expect(readdirSync(dataDir)).toEqual([]);
      expect(proc.output()).toContain(`cerf-ledger did not start: port ${port} on 127.0.0.1 is already in use by another process`);
      expect(proc.output()).toContain('PORT=');
      expect(proc.output()).not.toContain('is running');
    },
    PROCESS_TEST_MS,
  );

  it(
    'when the demo starts on a port another process holds, then it exits with status 1 and never calls that process',
    async () => {
      const proc = run('scripts/demo.ts');
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(requestsToOther).toBe(0);
    },
    PROCESS_TEST_MS,
  );
});
