/**
 * The own redis-server never outlives its service: a service killed with SIGKILL takes its
 * redis-server with it (parent-death signal), and a start that finds a redis-server left on its data
 * folder (named by the folder's pid file) ends it before it opens the folder's files.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../process/embedded/process-tools.js';
import { createTestDatabase } from '../support/harness.js';
import { startServiceProcess, type ServiceProcess } from '../support/processes.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

const OPERATOR_KEY = 'redis-left-over-operator-key-0123456789';
const skip = process.env.TEST_DRIVER === 'pglite';
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const started: ServiceProcess[] = [];
const dirs: string[] = [];
const leftOvers: number[] = [];

beforeAll(async () => {
  if (!skip) database = await createTestDatabase();
}, PROCESS_WAIT_MS);
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const pid of leftOvers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  await database?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** whether `pid` still runs (an ended child of this test not reaped yet counts as ended) */
function alive(pid: number) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const dataDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-left-over-'));
  dirs.push(dir);
  return dir;
};
const pidIn = (dir: string) => Number(readFileSync(path.join(dir, 'redis', 'redis-server.pid'), 'utf8').trim());
/** the service on PostgreSQL with its own redis-server in `dir` */
const startOn = async (dir: string) => {
  const service = await startServiceProcess({
    DATABASE_URL: database.url,
    REDIS_URL: undefined,
    DATA_DIR: dir,
    LOG_LEVEL: 'info',
    CERF_WORKERS: 'inline',
    CERF_BOOTSTRAP_OPERATOR_KEY: OPERATOR_KEY,
  });
  started.push(service);
  return service;
};

describe.skipIf(skip)('the own redis-server and a killed service', () => {
  it(
    'when the service is killed with SIGKILL, then its redis-server ends with it, and the next start runs one redis-server on the folder',
    async () => {
      const dir = dataDir();
      const first = await startOn(dir);
      const redisPid = pidIn(dir);
      expect(alive(redisPid)).toBe(true);
      first.child.kill('SIGKILL');
      await waitFor(async () => !alive(redisPid), "the killed service's redis-server to end", PROCESS_WAIT_MS);
      const second = await startOn(dir);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
      expect(pidIn(dir)).not.toBe(redisPid);
      expect(alive(pidIn(dir))).toBe(true);
      const ended = await second.stop();
      expect(ended).toMatchObject({ code: 0, forced: false });
    },
    PROCESS_TEST_MS,
  );

  it(
    'when a redis-server left by a killed service still runs on the data folder, then a start ends it before it starts its own',
    async () => {
      const dir = dataDir();
      const redisDir = path.join(dir, 'redis');
      mkdirSync(redisDir, { recursive: true });
      // a redis-server on the folder whose parent died without taking it along
      const port = await freePort();
      const leftOver = spawn(
        '/usr/bin/redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes'],
        {
          stdio: 'ignore',
          detached: true,
        },
      );
      leftOver.unref();
      leftOvers.push(leftOver.pid!);
      writeFileSync(path.join(redisDir, 'redis-server.pid'), `${leftOver.pid}\n`);
      await waitFor(async () => readlinkOk(leftOver.pid!, redisDir), 'the left-over redis-server to run on the folder', PROCESS_WAIT_MS);
      const service = await startOn(dir);
      expect(alive(leftOver.pid!)).toBe(false);
      expect(service.output()).toContain('ended a redis-server a killed process had left running on the data folder');
      expect(pidIn(dir)).not.toBe(leftOver.pid);
      expect(alive(pidIn(dir))).toBe(true);
    },
    PROCESS_TEST_MS,
  );
});

/** whether `pid` runs in `dir` (redis-server changes into its --dir) */
async function readlinkOk(pid: number, dir: string) {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false;
  }
}
