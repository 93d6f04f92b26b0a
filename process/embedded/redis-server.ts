/**
 * Starts Debian's `redis-server` as a child on a free loopback port, persisting (append-only file)
 * in a data folder, for when no REDIS_URL is configured. Stopped by `stop()`, and killed with the
 * parent if the parent exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { findExecutable, freePort, waitFor } from './process-tools.js';

export type RedisServerState = {
  status: 'running' | 'restarting' | 'stopped';
  pid: number | null;
  port: number;
  /** restarts after an unexpected exit, since the start */
  restarts: number;
  lastExit: { at: string; code: number | null; signal: string | null } | null;
};

export type EmbeddedRedis = {
  url: string;
  port: number;
  /** the redis-server running now (a new one after each supervised restart) */
  readonly child: ChildProcess;
  state(): RedisServerState;
  stop(): Promise<void>;
};

/** Restart delays after an unexpected exit: 0.5 s, doubling to 30 s; a server that ran a minute starts over at 0.5 s. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

/**
 * `supervise`: when the server exits unexpectedly it is started again on the same port and data folder
 * after a backoff, and `onEvent` hears of it (the service logs it and /readyz reports it).
 */
export async function startRedisServer(options: {
  dataDir: string;
  port?: number;
  persist?: boolean;
  supervise?: boolean;
  onEvent?: (event: { kind: 'exited' | 'restarted' | 'restart_failed'; state: RedisServerState; error?: string }) => void;
}): Promise<EmbeddedRedis> {
  const binary = findExecutable(['/usr/bin/redis-server', '/usr/local/bin/redis-server']);
  if (!binary) throw new Error('redis-server is not installed: run `apt-get install redis-server`, or set REDIS_URL');
  const dir = path.resolve(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const persist = options.persist ?? true;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    persist ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    // BullMQ needs keys to stay until acknowledged
    '--maxmemory-policy',
    'noeviction',
    '--logfile',
    '',
    '--loglevel',
    'warning',
  ];
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  let exited = false;
  let stopping = false;
  let supervising = false;
  let restarts = 0;
  let startedAt = Date.now();
  let delayMs = RESTART_FIRST_MS;
  let restartTimer: NodeJS.Timeout | null = null;
  let status: RedisServerState['status'] = 'running';
  let lastExit: RedisServerState['lastExit'] = null;
  const state = (): RedisServerState => ({
    status,
    pid: exited ? null : (child.pid ?? null),
    port,
    restarts,
    lastExit,
  });
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const answers = async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  };

  const launch = async () => {
    exited = false;
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    startedAt = Date.now();
    const thisChild = child;
    thisChild.on('exit', (code, signal) => {
      if (thisChild !== child) return;
      exited = true;
      if (stopping || !supervising) return;
      lastExit = { at: new Date().toISOString(), code, signal };
      status = 'restarting';
      if (Date.now() - startedAt > STABLE_AFTER_MS) delayMs = RESTART_FIRST_MS;
      options.onEvent?.({ kind: 'exited', state: state() });
      scheduleRestart();
    });
    await waitFor(
      async () => {
        if (exited) throw new Error(`redis-server exited at start (port ${port})`);
        return answers();
        // a busy machine (a CI runner under a parallel suite) can take longer than 20 s to start it
      },
      'redis-server',
      60_000,
    );
  };

  const scheduleRestart = () => {
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, RESTART_MAX_MS);
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (stopping) return;
      launch().then(
        () => {
          restarts += 1;
          status = 'running';
          options.onEvent?.({ kind: 'restarted', state: state() });
        },
        (err: unknown) => {
          if (stopping) return;
          if (!exited) child.kill('SIGKILL');
          options.onEvent?.({ kind: 'restart_failed', state: state(), error: (err as Error).message });
          // the failed child's exit handler schedules the next attempt
        },
      );
    }, wait);
    restartTimer.unref();
  };

  await launch();
  supervising = options.supervise ?? false;
  return {
    url,
    port,
    get child() {
      return child;
    },
    state,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        status = 'stopped';
        if (restartTimer) clearTimeout(restartTimer);
        process.off('exit', killOnExit);
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
