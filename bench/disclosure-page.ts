/**
 * A published disclosure page under 50 concurrent keep-alive connections, against a static file of the
 * same service in the same run: requests/s and p99 latency of both, and the ratio of the p99s
 * (target: the disclosure page within 2× of the static route's p99). The service runs as its own
 * process with the demo data (a published disclosure for the last ended quarter).
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, quarterBounds, quarterOf, shanghaiDate } from '../domain/dates.js';
import { waitFor } from '../server/embedded/process-tools.js';
import { fmt, freshDatabase, startServiceProcess, type Benchmark } from './support.js';

const CONNECTIONS = 50;
const REQUESTS = Number(process.env.BENCH_PAGE_REQUESTS ?? 20_000);
const SECONDS_MAX = 60;

/** Sends `total` GETs over `connections` keep-alive sockets (loopback only); returns rate and latency percentiles. */
async function load(url: string, total: number, connections: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latenciesMs: number[] = [];
  let sent = 0;
  let failed = 0;
  const deadline = Date.now() + SECONDS_MAX * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) failed += 1;
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

const bench: Benchmark = async ({ pg: server, log }) => {
  const databaseUrl = await freshDatabase(server, 'pages');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-pages-'));
  const service = await startServiceProcess({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir }, { demo: true });
  try {
    const lastQuarter = quarterOf(addDays(quarterBounds(quarterOf(shanghaiDate(new Date()))).start, -1));
    const pageUrl = `${service.url}/disclosures/DEMO-A/${lastQuarter}`;
    const staticUrl = `${service.url}/static/site.css`;
    // the demo data loads after the service is up
    await waitFor(async () => (await fetch(pageUrl)).status === 200, 'the published demo disclosure', 120_000);
    await load(pageUrl, 500, CONNECTIONS); // warm up both
    await load(staticUrl, 500, CONNECTIONS);
    const page = await load(pageUrl, REQUESTS, CONNECTIONS);
    const file = await load(staticUrl, REQUESTS, CONNECTIONS);
    log(`${CONNECTIONS} connections, ${fmt(REQUESTS)} requests each`);
    log(`static /static/site.css   ${fmt(file.rate)} req/s, p50 ${fmt(file.p50, 1)} ms, p99 ${fmt(file.p99, 1)} ms, ${file.failed} failed`);
    log(`disclosure page           ${fmt(page.rate)} req/s, p50 ${fmt(page.p50, 1)} ms, p99 ${fmt(page.p99, 1)} ms, ${page.failed} failed`);
    const ratio = page.p99 / file.p99;
    log(`ratio p99 page/static     ${fmt(ratio, 2)}  (target ≤ 2.00: ${ratio <= 2 ? 'met' : 'NOT met'})`);
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
