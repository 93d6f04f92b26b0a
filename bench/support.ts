import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EmbeddedPostgres } from '../server/embedded/postgres-server.js';

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
