import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EmbeddedPostgres } from '../devtools/postgres-server.js';
import { freePort, waitFor } from '../process/embedded/process-tools.js';
import { serviceArgs } from '../scripts/service-command.js';
import os from 'node:os';
import { openDatabase } from '../db/client.js';
import { shanghaiDate } from '../domain/dates.js';
import { jobIds } from '../domain/job-ids.js';
import { previousQuarter } from '../app/outbox-jobs.js';

export type BenchContext = { pg: EmbeddedPostgres; log: (line: string) => void };
export type Benchmark = (ctx: BenchContext) => Promise<void>;

/** A fresh, empty database on the benchmark's server; returns its URL. */
export async function freshDatabase(server: EmbeddedPostgres, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return server.url(name);
}

/**
 * A fresh database for the service: migrated, with a client connected to it, and the compile of the last
 * ended quarter (which the service queues when it starts) marked handled, so only the benchmark's work runs.
 */
export async function serviceDatabase(server: EmbeddedPostgres, prefix: string): Promise<{ url: string; client: pg.Client }> {
  const url = await freshDatabase(server, prefix);
  const migrated = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolMax: 1 });
  await migrated.close();
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  const latest = previousQuarter(shanghaiDate(new Date()));
  await client.query(`insert into outbox (queue, name, job_id, payload, status) values ('compile', 'compile-quarter', $1, $2, 'done')`, [
    jobIds.compileQuarter(latest),
    { quarter: latest },
  ]);
  return { url, client };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Samples a process's resident set size (Linux /proc) every 100 ms; `stop()` returns the peak in MB. */
export async function sampleRss(pid: number) {
  const { readFile } = await import('node:fs/promises');
  let peakKb = 0;
  const read = async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    if (m) peakKb = Math.max(peakKb, Number(m[1]));
  };
  const timer = setInterval(() => void read(), 100);
  await read();
  return {
    stop: async () => {
      clearInterval(timer);
      await read();
      return peakKb / 1024;
    },
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const BENCH_OPERATOR_KEY = 'bench-operator-key-0123456789abcdef';

/**
 * Starts the service as its own process, exactly as `npm start` (or, with `demo`, `scripts/demo.sh`) runs it (so its RSS is its own), and
 * waits until it is ready. BENCH_LOG_LEVEL shows its logs; BENCH_CPU_PROF=<dir> writes its CPU profile; BENCH_NODE_FLAGS adds
 * node flags (to try a setting before it goes into package.json).
 */
export async function startServiceProcess(env: Record<string, string>, options: { demo?: boolean } = {}) {
  const port = await freePort();
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, serviceArgs(options.demo ? 'scripts/demo.ts' : 'process/start.ts', [...profile, ...extra]), {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      CERF_BOOTSTRAP_OPERATOR_KEY: BENCH_OPERATOR_KEY,
    },
    stdio: ['ignore', process.env.BENCH_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'service', 120_000);
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Waits until the service has summarised for the facility's figures what the bench's seed wrote behind
 * its back (it does so in the background at its start): a service that lived through the seed's writes
 * would have done it as they came, so that work is not the measured step's.
 */
export async function summariesSettled(client: pg.Client): Promise<void> {
  await waitFor(
    async () => Number((await client.query('select count(*) from statistics_dirty')).rows[0].count) === 0,
    'the statistics summaries',
    600_000,
  );
}

/** Streams tab-separated `lines` into PostgreSQL with `copySql` (a `copy … from stdin`), 1,000 lines a chunk. */
export async function copyLines(client: pg.Client, copySql: string, lines: readonly string[]): Promise<void> {
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join('\n') + '\n';
      })(),
    ),
    client.query(copyFrom(copySql)),
  );
}

/** With BENCH_PG_STATS set: resets pg_stat_statements in the database (call before the measured work). */
export async function resetStatementStats(client: pg.Client) {
  if (!process.env.BENCH_PG_STATS) return;
  await client.query('create extension if not exists pg_stat_statements');
  await client.query('select pg_stat_statements_reset()');
}

/** `timed(work)`, and with BENCH_PG_STATS set the statements that took the server's time during it, each line led by `label`. */
export async function timedWithStatementStats<T>(client: pg.Client, log: (line: string) => void, label: string, work: () => Promise<T>) {
  await resetStatementStats(client);
  const result = await timed(work);
  await logStatementStats(client, (line) => log(`${label}: ${line.trimStart()}`));
  return result;
}

/** With BENCH_PG_STATS set: logs the statements that took most of the server's time since the reset. */
export async function logStatementStats(client: pg.Client, log: (line: string) => void, top = 25) {
  if (!process.env.BENCH_PG_STATS) return;
  const { rows } = await client.query(
    `select round(total_exec_time)::int as ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
       from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc limit $1`,
    [top],
  );
  for (const r of rows)
    log(`  ${String(r.ms).padStart(8)} ms ${String(r.calls).padStart(8)} calls ${String(r.rows).padStart(9)} rows  ${r.query}`);
}
