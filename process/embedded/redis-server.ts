/**
 * Starts Debian's `redis-server` as a child on a free loopback port, persisting (append-only file)
 * in a data folder, for when no REDIS_URL is configured. Stopped by `stop()`, and killed with the
 * parent however the parent ends: it is started under `setpriv --pdeathsig KILL`, so the kernel ends
 * it when its parent dies (a kill -9 included). Its pid is kept in `redis/redis-server.pid` of the data
 * folder; a start first ends a redis-server that file names if it still runs on the same folder (one
 * left by a parent killed where no parent-death signal was available), before opening the folder's files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
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
  /** the pid of a redis-server left on the data folder by a killed parent, ended before this one started */
  endedLeftOver: number | null;
  state(): RedisServerState;
  stop(): Promise<void>;
};

/** Restart delays after an unexpected exit: 0.5 s, doubling to 30 s; a server that ran a minute starts over at 0.5 s. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;
const STABLE_AFTER_MS = 60_000;
/** a stopped redis-server that has not ended after this long (its append-only file flushed) is killed */
const KILL_AFTER_MS = 2_000;
const PID_FILE = 'redis-server.pid';

/** Whether `pid` runs `binary` on `dir` (its working folder: redis-server changes into `--dir`). */
function redisServerOn(pid: number, binary: string, dir: string): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === realpathSync(binary) && readlinkSync(`/proc/${pid}/cwd`) === dir;
  } catch {
    return false;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Ends the redis-server named by the folder's pid file if it still runs on this folder (left by a
 * parent that was killed): SIGTERM, then SIGKILL after KILL_AFTER_MS; then removes the file.
 */
export async function endLeftOver(pidFile: string, binary: string, dir: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !redisServerOn(pid, binary, dir)) {
    rmSync(pidFile, { force: true });
    return null;
  }
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => !alive(pid), 'the left-over redis-server to end', KILL_AFTER_MS).catch(() => process.kill(pid, 'SIGKILL'));
  await waitFor(async () => !alive(pid), 'the left-over redis-server to end', 10_000);
  rmSync(pidFile, { force: true });
  return pid;
}

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
  const pidFile = path.join(dir, PID_FILE);
  const endedLeftOver = await endLeftOver(pidFile, binary, dir);
  const setpriv = findExecutable(['/usr/bin/setpriv', '/bin/setpriv']);
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
    // setpriv execs redis-server in its own process (same pid) with the parent-death signal set
    child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);
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
    endedLeftOver,
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
        const done = () => {
          rmSync(pidFile, { force: true });
          resolve();
        };
        if (exited) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
      }),
  };
}
