/**
 * A published disclosure page under 50 concurrent keep-alive connections, against a bare `node:http`
 * server (its own process) answering the same page bytes from memory, in the same run: requests/s and
 * p99 of the version-addressed page, of the quarter's page (revalidated), of 304 answers to
 * `If-None-Match`, and of the stylesheet at its fingerprinted address (plain and brotli). Targets: the
 * published page ≥ 0.5× the bare server's throughput with p99 ≤ 2× its p99; 304 answers ≥ 0.6× its
 * throughput; the stylesheet ≥ 0.9× the published page's throughput. The service runs as its
 * own process with the demo data (a published disclosure for the last ended quarter).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, quarterBounds, quarterOf, shanghaiDate } from '../domain/dates.js';
import { waitFor } from '../process/embedded/process-tools.js';
import { fmt, freshDatabase, startServiceProcess, type Benchmark } from './support.js';
import { SERVICE_NODE_FLAGS } from '../scripts/service-command.js';

const CONNECTIONS = 50;
const REQUESTS = Number(process.env.BENCH_PAGE_REQUESTS ?? 20_000);
const SECONDS_MAX = 60;
const ROUNDS = 5;

/** Sends `total` GETs over `connections` keep-alive sockets (loopback only); returns rate and latency percentiles. */
async function load(url: string, total: number, connections: number, headers: Record<string, string> = {}, expect = 200) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latenciesMs: number[] = [];
  let sent = 0;
  let failed = 0;
  const deadline = Date.now() + SECONDS_MAX * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== expect) failed += 1;
          latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
    });
  const started = Date.now();
  const lane = async () => {
    while (sent < total && Date.now() < deadline) {
      sent += 1;
      await one();
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  latenciesMs.sort((a, b) => a - b);
  const pct = (p: number) => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor((p / 100) * latenciesMs.length))];
  return { rate: latenciesMs.length / seconds, p50: pct(50), p99: pct(99), failed, count: latenciesMs.length };
}

/** CPU seconds the process has used (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Waits until the service is idle (the demo data's background work done): under 5 % of a core over 2 s. */
async function waitIdle(pid: number) {
  for (let i = 0; i < 300; i++) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 2000));
    if (cpuSeconds(pid) - before < 0.1) return;
  }
}

type Run = Awaited<ReturnType<typeof load>>;
/** Rounds of the measured URLs taken in turn, so that the machine's changing load falls on all of them alike. */
async function interleaved(
  targets: { url: string; headers?: Record<string, string>; expect?: number }[],
  rounds: number,
  perRound: number,
) {
  const runs: Run[][] = targets.map(() => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, t] of targets.entries()) runs[i].push(await load(t.url, perRound, CONNECTIONS, t.headers, t.expect));
  return runs.map((rs) => {
    const count = rs.reduce((a, x) => a + x.count, 0);
    const seconds = rs.reduce((a, x) => a + x.count / x.rate, 0);
    const median = (pick: (x: Run) => number) => rs.map(pick).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
    return {
      rate: count / seconds,
      p50: median((x) => x.p50),
      p99: median((x) => x.p99),
      failed: rs.reduce((a, x) => a + x.failed, 0),
      count,
    };
  });
}

/** The baseline: a bare node:http server in its own process answering `file`'s bytes from memory. */
async function startBareServer(file: string) {
  const script = `
    const http = require('node:http');
    const body = require('node:fs').readFileSync(process.argv[1]);
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
    server.keepAliveTimeout = 5000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));`;
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const databaseUrl = await freshDatabase(server, 'pages');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-pages-'));
  const service = await startServiceProcess({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir }, { demo: true });
  let bare: Awaited<ReturnType<typeof startBareServer>> | null = null;
  try {
    const lastQuarter = quarterOf(addDays(quarterBounds(quarterOf(shanghaiDate(new Date()))).start, -1));
    const quarterUrl = `${service.url}/disclosures/DEMO-A/${lastQuarter}`;
    // the demo data loads after the service is up
    await waitFor(async () => (await fetch(quarterUrl)).status === 200, 'the published demo disclosure', 120_000);
    const version = (await fetch(`${quarterUrl}.json`)).headers.get('cerf-version');
    const pageUrl = `${quarterUrl}/v/${version}`;
    const first = await fetch(pageUrl, { headers: { 'accept-encoding': 'identity' } });
    const bytes = Buffer.from(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    // the stylesheet at the fingerprinted address the page links to
    const stylesheet = /href="(\/static\/site\.[0-9a-f]+\.css)"/.exec(bytes.toString('utf8'))?.[1];
    if (!stylesheet) throw new Error('the page links no fingerprinted stylesheet');
    const staticUrl = `${service.url}${stylesheet}`;
    const file = path.join(dataDir, 'page.html');
    writeFileSync(file, bytes);
    bare = await startBareServer(file);
    const check = Buffer.from(await (await fetch(bare.url)).arrayBuffer());
    if (!check.equals(bytes)) throw new Error('the bare server does not answer the same bytes');

    await waitIdle(service.pid);
    for (const url of [bare.url, pageUrl, quarterUrl, staticUrl]) await load(url, 1000, CONNECTIONS); // warm up
    const [baseline, page, current, revalidated, staticFile, staticBrotli] = await interleaved(
      [
        { url: bare.url },
        { url: pageUrl },
        { url: quarterUrl },
        { url: pageUrl, headers: { 'if-none-match': etag }, expect: 304 },
        { url: staticUrl },
        { url: staticUrl, headers: { 'accept-encoding': 'br' } },
      ],
      ROUNDS,
      Math.ceil(REQUESTS / ROUNDS),
    );
    const line = (label: string, r: typeof page) =>
      log(`${label.padEnd(34)} ${fmt(r.rate).padStart(7)} req/s, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ${r.failed} failed`);
    log(
      `${CONNECTIONS} connections, ${fmt(REQUESTS)} requests each in ${ROUNDS} interleaved rounds (p50, p99: median of the rounds), page ${fmt(bytes.length)} bytes`,
    );
    line('bare node:http, same bytes', baseline);
    line(`page /v/${version} (immutable)`, page);
    line('page of the quarter (no-cache)', current);
    line('304 on If-None-Match', revalidated);
    line(`static ${stylesheet}`, staticFile);
    line('the same, brotli', staticBrotli);
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const rate = page.rate / baseline.rate;
    const p99 = page.p99 / baseline.p99;
    const notModified = revalidated.rate / baseline.rate;
    log(`throughput page/bare     ${fmt(rate, 2)}  (target ≥ 0.50: ${verdict(rate >= 0.5)})`);
    log(`p99 page/bare            ${fmt(p99, 2)}  (target ≤ 2.00: ${verdict(p99 <= 2)})`);
    log(`throughput 304/bare      ${fmt(notModified, 2)}  (target ≥ 0.60: ${verdict(notModified >= 0.6)})`);
    const assets = staticFile.rate / page.rate;
    log(`throughput static/page   ${fmt(assets, 2)}  (target ≥ 0.90: ${verdict(assets >= 0.9)})`);
    log(`quarter page/bare        ${fmt(current.rate / baseline.rate, 2)} throughput, ${fmt(current.p99 / baseline.p99, 2)} p99`);
  } finally {
    await bare?.stop();
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
