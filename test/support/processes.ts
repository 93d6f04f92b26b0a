/**
 * Real processes for the service tests: `npm start` (process/start.ts) and `npm run worker`
 * (jobs/worker.ts), built and run as npm's scripts run them (scripts/service-command.ts), as child processes on a database and a Redis the test names, and plain HTTP calls to
 * them. The drills (a restarted PostgreSQL, a killed Redis) and the several-processes test share these.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { freePort } from '../../process/embedded/process-tools.js';
import { serviceArgs } from '../../scripts/service-command.js';
import { PROCESS_WAIT_MS } from './timeouts.js';

export type ServiceProcess = {
  child: ChildProcess;
  url: string;
  /** the process's stdout and stderr so far (JSON log lines) */
  output(): string;
  /** the exit code once the process ended (null while it runs) */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** SIGTERM, then the exit (SIGKILL after `killAfterMs`); resolves with how it ended */
  stop(killAfterMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; forced: boolean }>;
};

function watch(child: ChildProcess, url: string): ServiceProcess {
  let output = '';
  const append = (d: Buffer) => (output = (output + d.toString()).slice(-200_000));
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  const kill = () => {
    if (!exit) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    child,
    url,
    output: () => output,
    exited: () => exit,
    stop: async (killAfterMs = PROCESS_WAIT_MS) => {
      let forced = false;
      if (!exit) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          forced = true;
          child.kill('SIGKILL');
        }, killAfterMs);
        await ended;
        clearTimeout(timer);
      }
      process.off('exit', kill);
      return { ...exit!, forced };
    },
  };
}

/** Starts the service as `npm start` does, with `env` (DATABASE_URL, REDIS_URL, …) on a free port; resolves once /readyz answers 200. */
export async function startServiceProcess(env: Record<string, string | undefined>, options: { ready?: boolean } = {}) {
  // a free port is free only until someone takes it: when another test's process took it first, this
  // service exits saying so, and it starts again on another port
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServiceOnce(env, options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startServiceOnce(env: Record<string, string | undefined>, options: { ready?: boolean }) {
  const port = await freePort();
  const child = spawn(process.execPath, serviceArgs('process/start.ts'), {
    env: { ...process.env, DATA_DIR: os.tmpdir(), LOG_LEVEL: 'warn', CERF_WORKERS: 'off', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = watch(child, `http://127.0.0.1:${port}`);
  const deadline = Date.now() + PROCESS_WAIT_MS;
  for (;;) {
    const exited = service.exited();
    if (exited) {
      const output = service.output();
      if (output.includes('already in use')) throw new PortTaken(output);
      throw new Error(`the service exited at start (${JSON.stringify(exited)}): ${output}`);
    }
    const res = await fetch(`${service.url}/${options.ready === false ? 'healthz' : 'readyz'}`).catch(() => null);
    // ready, and it is this process that answers: its banner names the port (another test's service may
    // answer on a port both were given)
    if (res?.ok && (options.ready === false || service.output().includes(`(port ${port})`))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not become ready within ${PROCESS_WAIT_MS} ms\n${service.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return service;
}

/** Starts the worker as `npm run worker` does, with `env` (DATABASE_URL, REDIS_URL, CERF_QUEUE_PREFIX). */
export function startWorkerProcess(env: Record<string, string | undefined>): ServiceProcess {
  const child = spawn(process.execPath, serviceArgs('jobs/worker.ts'), {
    env: { ...process.env, DATA_DIR: os.tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watch(child, '');
}

export type Answer = { status: number; headers: Headers; body: any; text: string };

/** One HTTP call; a connection that fails answers status 0 (the body names the error). */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; idempotencyKey?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? PROCESS_WAIT_MS),
    });
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body, text };
  } catch (err) {
    return { status: 0, headers: new Headers(), body: { error: String((err as Error).cause ?? err) }, text: '' };
  }
}

let institutions = 0;

/** A bank created through the API of a running service by its operator; returns its code and API key. */
export async function createBankThrough(baseUrl: string, operatorKey: string, code = `PB${process.pid % 1000}${++institutions}`) {
  const res = await call(baseUrl, 'POST', '/api/v1/institutions', {
    key: operatorKey,
    body: { code, nameZh: `进程银行${code}`, nameEn: `Process Bank ${code}`, kind: 'bank', eligibleFrom: '2021-11-08' },
  });
  if (res.status !== 201) throw new Error(`createBankThrough: ${res.status} ${res.text}`);
  return { code, apiKey: res.body.apiKey as string };
}

/**
 * Several processes on one PostgreSQL and one Redis: `services` service processes (workers off) and
 * `workers` `npm run worker` processes sharing one queue prefix. The several-processes test uses it; a
 * check of another feature (a confirmation taken on both at once, a key revoked on one) can start its own.
 */
export async function startCluster(options: {
  databaseUrl: string;
  redisUrl: string;
  operatorKey: string;
  services?: number;
  workers?: number;
}) {
  const prefix = `c${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const env = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    CERF_QUEUE_PREFIX: prefix,
    CERF_BOOTSTRAP_OPERATOR_KEY: options.operatorKey,
  };
  // the first service migrates and bootstraps; the others start beside it
  const first = await startServiceProcess(env);
  const rest = await Promise.all(Array.from({ length: (options.services ?? 2) - 1 }, () => startServiceProcess(env)));
  const workers = Array.from({ length: options.workers ?? 2 }, () => startWorkerProcess(env));
  const services = [first, ...rest];
  return {
    services,
    workers,
    prefix,
    stop: async () => {
      await Promise.all([...services, ...workers].map((p) => p.stop()));
    },
  };
}

/** Sends the same request to every base URL at once. */
export const callAll = (urls: string[], method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
  Promise.all(urls.map((url) => call(url, method, path, options)));
