/**
 * Responsive while working, on the embedded defaults (PGlite and the service's own redis-server, as
 * `npm start` runs without DATABASE_URL and REDIS_URL): while the service works through (1) a
 * 150,000-row loans upload, (2) a single-bank history import of 5,000 loans and (3) the compilation of
 * that bank's quarters, one client keeps asking, one request after another with 50 ms between them: the
 * long work's own status (the upload's `GET /api/v1/uploads/:id`, the bank's loans, its disclosure
 * versions), a page (`/disclosures`) and `/healthz`. Prints, for each piece of work and each kind of
 * request, how many were answered, their p99 and their worst time, and how long the work took. No
 * target is asserted here; the aim (docs/operations.md) is every request answered within 2 s.
 * BENCH_RESPONSIVE_ROWS and BENCH_RESPONSIVE_LOANS scale it down on a crowded machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { quarterOf } from '../domain/dates.js';
import type { LoanText } from '../domain/loans/facts.js';
import { LOAN_COLUMNS } from '../schemas/uploads.js';
import { bankHistory } from './history-import.js';
import { benchLoans } from './loans.js';
import { BENCH_OPERATOR_KEY, fmt, startServiceProcess, timed, type Benchmark } from './support.js';

const ROWS = Number(process.env.BENCH_RESPONSIVE_ROWS ?? 150_000);
const LOANS = Number(process.env.BENCH_RESPONSIVE_LOANS ?? 5_000);
/** a client gives up on a request after this long (counted as its time) */
const GIVE_UP_MS = 120_000;

const operator = { authorization: `Bearer ${BENCH_OPERATOR_KEY}` };
const json = { 'content-type': 'application/json', ...operator };

const cellsOf = (loan: LoanText) =>
  LOAN_COLUMNS.map((column) => {
    let at: unknown = loan;
    for (const part of column.split('.')) at = (at as Record<string, unknown>)[part];
    return String(at);
  });

function loansCsv(rows: LoanText[]): Blob {
  const parts: string[] = [stringify([LOAN_COLUMNS as unknown as string[]])];
  for (let i = 0; i < rows.length; i += 5000) parts.push(stringify(rows.slice(i, i + 5000).map(cellsOf)));
  return new Blob(parts);
}

async function createBank(url: string, code: string, eligibleFrom: string) {
  const res = await fetch(`${url}/api/v1/institutions`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ code, nameZh: '基准银行', nameEn: 'Bench Bank', kind: 'bank', eligibleFrom }),
  });
  if (res.status !== 201) throw new Error(`institution ${code}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

type Ask = { kind: string; path: string; headers?: Record<string, string> };

/**
 * Asks `asks` in turn, one at a time, until `busy()` is false; returns each kind's answer times (ms).
 * A request that fails or is given up counts with its time and is noted.
 */
async function keepAsking(url: string, asks: Ask[], busy: () => boolean) {
  const times = new Map<string, number[]>(asks.map((a) => [a.kind, []]));
  const failed = new Map<string, number>();
  for (let i = 0; busy(); i++) {
    const ask = asks[i % asks.length];
    const started = performance.now();
    try {
      const res = await fetch(`${url}${ask.path}`, { headers: ask.headers, signal: AbortSignal.timeout(GIVE_UP_MS) });
      await res.arrayBuffer();
      if (res.status >= 500) failed.set(ask.kind, (failed.get(ask.kind) ?? 0) + 1);
    } catch {
      failed.set(ask.kind, (failed.get(ask.kind) ?? 0) + 1);
    }
    times.get(ask.kind)!.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { times, failed };
}

function report(log: (line: string) => void, work: string, seconds: number, asked: Awaited<ReturnType<typeof keepAsking>>) {
  log(`${work}: ${fmt(seconds, 1)} s`);
  for (const [kind, ms] of asked.times) {
    const sorted = [...ms].sort((a, b) => a - b);
    const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] : NaN;
    const worst = sorted.length ? sorted[sorted.length - 1] : NaN;
    const over = sorted.filter((t) => t > 2000).length;
    const failed = asked.failed.get(kind) ?? 0;
    log(
      `  ${kind.padEnd(16)} ${String(sorted.length).padStart(5)} answered  p99 ${fmt(p99 / 1000, 2).padStart(6)} s  worst ${fmt(worst / 1000, 2).padStart(6)} s  over 2 s: ${over}${failed ? `  failed: ${failed}` : ''}`,
    );
  }
}

/** Runs `work` while a client keeps asking; reports both. */
async function whileAsking<T>(log: (line: string) => void, url: string, name: string, asks: Ask[], work: () => Promise<T>) {
  let busy = true;
  const asking = keepAsking(url, asks, () => busy);
  const done = await timed(async () => {
    try {
      return await work();
    } finally {
      busy = false;
    }
  });
  report(log, name, done.seconds, await asking);
  return done.value;
}

const bench: Benchmark = async ({ log }) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-responsive-'));
  log(
    `embedded defaults (PGlite, own redis-server); load average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  );
  const service = await startServiceProcess({ DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', HOST: '127.0.0.1' });
  const { url } = service;
  try {
    // (1) the upload
    const uploader = await createBank(url, 'RESPUP', '2021-11-08');
    const bank = { authorization: `Bearer ${uploader}` };
    const file = loansCsv(benchLoans(ROWS));
    const form = new FormData();
    form.set('kind', 'loans');
    form.set('file', file, 'loans.csv');
    const sent = await fetch(`${url}/api/v1/uploads`, { method: 'POST', headers: bank, body: form });
    const upload = (await sent.json()) as { id: string };
    if (sent.status !== 202) throw new Error(`upload: ${sent.status} ${JSON.stringify(upload).slice(0, 500)}`);
    let status = 'pending';
    await whileAsking(
      log,
      url,
      `upload of ${fmt(ROWS)} rows`,
      [
        { kind: 'upload status', path: `/api/v1/uploads/${upload.id}`, headers: bank },
        { kind: 'page', path: '/disclosures' },
        { kind: 'healthz', path: '/healthz' },
      ],
      async () => {
        while (!['completed', 'refused', 'failed'].includes(status)) {
          await new Promise((r) => setTimeout(r, 500));
          const res = await fetch(`${url}/api/v1/uploads/${upload.id}`, { headers: bank });
          status = ((await res.json()) as { status: string }).status;
        }
      },
    );
    if (status !== 'completed') log(`  (the upload ended ${status})`);

    // (2) the import
    const history = bankHistory(1, LOANS);
    await createBank(url, history.code, '2021-07-01');
    const document = { institution: history.code, loans: history.loans, records: history.documents.flatMap((d) => d.body.records) };
    const imported = await whileAsking(
      log,
      url,
      `import of ${fmt(LOANS)} loans, ${fmt(document.records.length)} records`,
      [
        { kind: 'loan list', path: `/api/v1/loans?institution=${history.code}&limit=10`, headers: operator },
        { kind: 'page', path: '/disclosures' },
        { kind: 'healthz', path: '/healthz' },
      ],
      () => fetch(`${url}/api/v1/imports`, { method: 'POST', headers: json, body: JSON.stringify(document) }),
    );
    if (imported.status !== 201) log(`  (the import answered ${imported.status}: ${(await imported.text()).slice(0, 300)})`);

    // (3) the compilation of the bank's quarters
    const quarters = [...new Set(history.loans.map((l) => quarterOf(l.disbursedOn)))];
    const openJobs = async () => {
      const res = await fetch(`${url}/api/v1/jobs/health`, { headers: operator });
      const health = (await res.json()) as { outbox: { status: string; count: number }[] };
      return health.outbox.filter((o) => o.status !== 'done' && o.status !== 'failed').reduce((n, o) => n + o.count, 0);
    };
    const versions = async () => {
      const res = await fetch(`${url}/api/v1/disclosures?institution=${history.code}&limit=100`, { headers: operator });
      return ((await res.json()) as { items: unknown[] }).items?.length ?? 0;
    };
    await whileAsking(
      log,
      url,
      `compile of ${quarters.length} quarters`,
      [
        { kind: 'disclosure list', path: `/api/v1/disclosures?institution=${history.code}`, headers: operator },
        { kind: 'page', path: '/disclosures' },
        { kind: 'healthz', path: '/healthz' },
      ],
      async () => {
        for (const quarter of quarters) {
          const c = await fetch(`${url}/api/v1/disclosures/compile`, { method: 'POST', headers: json, body: JSON.stringify({ quarter }) });
          if (c.status !== 202) throw new Error(`compile ${quarter}: ${c.status} ${await c.text()}`);
        }
        // until no job is waiting or running (the fan-outs, then each bank's compile)
        const deadline = Date.now() + 1_800_000;
        do await new Promise((r) => setTimeout(r, 500));
        while ((await openJobs()) > 0 && Date.now() < deadline);
      },
    );
    log(`  (${await versions()} versions of the bank's ${quarters.length} quarters)`);
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
