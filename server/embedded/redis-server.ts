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

export type EmbeddedRedis = { url: string; port: number; child: ChildProcess; stop(): Promise<void> };

export async function startRedisServer(options: { dataDir: string; port?: number; persist?: boolean }): Promise<EmbeddedRedis> {
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
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (exited) throw new Error(`redis-server exited at start (port ${port})`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } finally {
      probe.disconnect();
    }
  }, 'redis-server');
  return {
    url,
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
