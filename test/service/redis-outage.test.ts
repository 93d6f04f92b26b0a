/**
 * Drills: Redis goes away under a running service.
 * - An external Redis (REDIS_URL) is killed: /readyz and /api/v1/jobs/health answer 503 at once, and
 *   SIGTERM still ends the process on its own.
 * - The service's own redis-server is killed: the service starts it again (with backoff), logs it, reports
 *   it in /readyz, and background jobs run again afterwards; killed once more right before SIGTERM, the
 *   process still ends on its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type EmbeddedRedis } from '../../process/embedded/redis-server.js';
import { waitFor } from '../../process/embedded/process-tools.js';
import { createTestDatabase } from '../support/harness.js';
import { call, startServiceProcess, type ServiceProcess } from '../support/processes.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'redis-outage-operator-key-0123456789abcd';
const skip = process.env.TEST_DRIVER === 'pglite';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: EmbeddedRedis | null = null;
const services: ServiceProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (skip) return;
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const s of services) await s.stop(5_000);
  await redis?.stop();
  await database?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/** A probe answers, whatever it says (a client gives up after 20 s: no answer is status 0). */
const probe = (url: string, p: string, key?: string) => call(url, 'GET', p, { key, timeoutMs: 20_000 });

describe('Redis outages', () => {
  it.skipIf(skip)(
    'when the external Redis is killed, then /readyz and /api/v1/jobs/health answer 503, and SIGTERM ends the process within 10 s',
    async () => {
      redis = await startRedisServer({ dataDir: tempDir('cerf-redis-ext-'), persist: false });
      const service = await startServiceProcess({
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        CERF_WORKERS: 'inline',
        CERF_QUEUE_PREFIX: `ext${process.pid}`,
        CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
      });
      services.push(service);
      expect((await probe(service.url, '/api/v1/jobs/health', OPERATOR_KEY)).status).toBe(200);

      redis.child.kill('SIGKILL');
      await waitFor(async () => redis!.child.exitCode !== null || redis!.child.signalCode !== null, 'redis killed');
      const ready = await probe(service.url, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ database: 'ok', redis: 'down' });
      const health = await probe(service.url, '/api/v1/jobs/health', OPERATOR_KEY);
      expect(health.status).toBe(503);
      expect(health.body.code).toBe('redis_unavailable');

      // the product's own contract: a stop ends within 10 s whatever Redis does (SIGKILL after 10 s counts as forced)
      const ended = await service.stop(10_000);
      expect(ended).toMatchObject({ forced: false, code: 0 });
    },
    PROCESS_TEST_MS,
  );

  it.skipIf(skip)(
    "when the service's own redis-server dies, then it is restarted, logged and reported, and jobs run again",
    async () => {
      const service = await startServiceProcess({
        DATABASE_URL: database.url,
        REDIS_URL: undefined,
        DATA_DIR: tempDir('cerf-own-redis-'),
        CERF_WORKERS: 'inline',
        CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
      });
      services.push(service);
      const before = await probe(service.url, '/readyz');
      expect(before.status).toBe(200);
      expect(before.body.redisServer).toMatchObject({ status: 'running', restarts: 0 });
      const firstPid = before.body.redisServer.pid as number;

      process.kill(firstPid, 'SIGKILL');
      const after = await (async () => {
        let last: Awaited<ReturnType<typeof probe>> | null = null;
        await waitFor(
          async () => {
            last = await probe(service.url, '/readyz');
            return last.status === 200 && last.body.redisServer.restarts === 1;
          },
          'own redis-server restarted',
          PROCESS_WAIT_MS,
        );
        return last!;
      })();
      expect(after.body.checks.redis).toBe('ok');
      expect(after.body.redisServer).toMatchObject({ status: 'running', restarts: 1, lastExit: { signal: 'SIGKILL' } });
      expect(after.body.redisServer.pid).not.toBe(firstPid);
      expect(service.output()).toContain('own redis-server exited');
      expect(service.output()).toContain('own redis-server restarted');

      // background jobs run again: a quarter's compilation goes through the queue to done
      const compile = await call(service.url, 'POST', '/api/v1/disclosures/compile', { key: OPERATOR_KEY, body: { quarter: '2025Q4' } });
      expect(compile.status, compile.text).toBe(202);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        await waitFor(
          async () => (await db.query(`select status from outbox where job_id = $1`, [compile.body.jobId])).rows[0]?.status === 'done',
          'the compilation job done',
          PROCESS_WAIT_MS,
        );
      } finally {
        await db.end();
      }

      // killed again just before SIGTERM: the shutdown does not wait for it, nor restart it
      process.kill(after.body.redisServer.pid, 'SIGKILL');
      const ended = await service.stop(PROCESS_WAIT_MS);
      expect(ended).toMatchObject({ forced: false, code: 0 });
    },
    PROCESS_TEST_MS,
  );
});
