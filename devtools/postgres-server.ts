/**
 * Starts a throw-away PostgreSQL server from Debian's `postgresql` package (initdb + postgres) on a
 * free loopback port, for the test suite and the benchmark. As root it runs the server as the
 * `postgres` system user, which PostgreSQL requires.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, postgresBinDir, waitFor } from '../process/embedded/process-tools.js';

export type EmbeddedPostgres = {
  url: (database?: string) => string;
  port: number;
  child: ChildProcess;
  /** `pg_ctl restart -m <mode>`: the server goes away and comes back on the same port (the drills) */
  restart(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
};

export async function startPostgresServer(options: { fast?: boolean; settings?: string[] } = {}): Promise<EmbeddedPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: run `apt-get install postgresql`, or set TEST_DATABASE_URL');
  const root = mkdtempSync(path.join(os.tmpdir(), 'cerf-pg-'));
  const dataDir = path.join(root, 'data');
  const isRoot = process.getuid?.() === 0;
  const asOwner = (cmd: string, args: string[]): [string, string[]] =>
    isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  const [initCmd, initArgs] = asOwner(`${bin}/initdb`, [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '-N',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const settings = [
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${root}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
    ...(options.fast === false ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ...(options.settings ?? []).flatMap((setting) => ['-c', setting]),
  ];
  const [cmd, args] = asOwner(`${bin}/postgres`, ['-D', dataDir, ...settings]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const url = (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  await waitFor(
    async () => {
      if (exited) throw new Error(`postgres exited at start: ${stderr}`);
      const client = new pg.Client({ connectionString: url() });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
    'postgres',
    30_000,
  );
  // after a restart the postmaster is pg_ctl's child, no longer ours: it is stopped through pg_ctl
  let restarted = false;
  const pgCtl = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [ctlCmd, ctlArgs] = asOwner(`${bin}/pg_ctl`, ['-D', dataDir, '-l', path.join(root, 'restarted.log'), ...args]);
      const ctl = spawn(ctlCmd, ctlArgs, { stdio: 'ignore' });
      ctl.on('error', reject);
      ctl.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args.join(' ')} exited with ${code}`))));
    });
  const stopRestarted = () => {
    const [ctlCmd, ctlArgs] = asOwner(`${bin}/pg_ctl`, ['-D', dataDir, '-m', 'immediate', 'stop']);
    try {
      execFileSync(ctlCmd, ctlArgs, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
  };
  return {
    url,
    port,
    child,
    restart: async (mode = 'fast') => {
      restarted = true;
      process.on('exit', stopRestarted);
      await pgCtl(['-m', mode, '-w', 'restart']);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
        const done = () => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        };
        if (restarted) {
          process.off('exit', stopRestarted);
          stopRestarted();
          return done();
        }
        if (exited) return done();
        child.once('exit', done);
        // signal the postmaster itself (runuser, when used, does not pass SIGINT on): fast shutdown
        try {
          const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
          process.kill(pid, 'SIGINT');
        } catch {
          child.kill('SIGINT');
        }
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
