/**
 * The facility's life as one benchmark (issue 21, item 4): on one PostgreSQL server, the service as its
 * own process lives through what a deployment does, each phase timed against its raw SQL equivalent on
 * the same server in the same run (a fresh database for the raw side):
 *
 * 1. institutions: BENCH_FACILITY_BANKS banks (default 60; national, local legal-person and foreign in
 *    turn) and two verifiers, created by the operator through the API;
 * 2. history: every bank's loans (BENCH_FACILITY_LOANS in all, default 1,000,000) with their
 *    applications, approvals, tranches, rollovers and repayments, one document per bank and year through
 *    POST /api/v1/imports (four in flight) — against COPY of the same rows. A national bank's history
 *    starts 2021Q3; a local or foreign bank's support starts when its category opened (2023Q1), its
 *    earlier loans are recorded without support;
 * 3. compile: every quarter of every bank — against the raw SQL aggregate of the three horizons;
 * 4. verify and publish: each bank's every compiled quarter submitted, assigned (a random sample of
 *    three loans), its checks passed, verified and published (signed) — against one transaction per
 *    disclosure that reads its version and its sampled loans and writes its status;
 * 5. mixed load (BENCH_FACILITY_LOAD_SECONDS, default 600): the public reading published pages and
 *    downloads at BENCH_FACILITY_PUBLIC_RATE requests/s (default 200), up to 20 banks submitting loans
 *    (batches) and uploads, operators reading the facility's statistics and the journal, and one late
 *    approval (a back-dated application of a year-old quarter, imported) that corrects every later
 *    quarter of its bank — the public against a bare node:http server serving the same page at the same
 *    rate, the correction against the raw aggregate of the quarters it corrected.
 *
 * Reported: each phase's wall time and its ratio to the raw one, p50/p99 of each request kind under the
 * load, the peak RSS of the service and the peak memory of PostgreSQL (its processes' proportional set
 * sizes together), the database's size per million loans. Targets: each phase ≤ 2× its raw equivalent,
 * public p99 ≤ 50 ms and bank writes p99 ≤ 1 s under the load.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { stringify } from 'csv-stringify/sync';
import { syntheticCreditCode } from '../domain/loans/credit-code.js';
import { waitFor } from '../process/embedded/process-tools.js';
import { LOAN_COLUMNS } from '../schemas/uploads.js';
import type { LoanText } from '../domain/loans/facts.js';
import { backDatedLoans } from './synthetic-book.js';
import { bankCode, bankHistory, copyBaseline, QUARTERS, rawAggregate, type BankHistory } from './history-import.js';
import {
  BENCH_OPERATOR_KEY,
  fmt,
  freshDatabase,
  logStatementStats,
  resetStatementStats,
  sampleRss,
  serviceDatabase,
  startServiceProcess,
  timed,
  timedWithStatementStats,
  type Benchmark,
} from './support.js';

const LOANS = Number(process.env.BENCH_FACILITY_LOANS ?? 1_000_000);
const BANKS = Number(process.env.BENCH_FACILITY_BANKS ?? 60);
const LOAD_SECONDS = Number(process.env.BENCH_FACILITY_LOAD_SECONDS ?? 600);
const PUBLIC_RATE = Number(process.env.BENCH_FACILITY_PUBLIC_RATE ?? 200);
const CONCURRENCY = 4;
const WRITING_BANKS = Math.min(20, BANKS);
const CATEGORIES = ['national', 'local_legal_person', 'foreign'] as const;
/** local legal-person and foreign institutions were admitted from 2023-01-29: their support starts 2023Q1 */
const CATEGORY_OPENS = '2023Q1';
const categoryOf = (b: number) => CATEGORIES[b % CATEGORIES.length];
const loansOf = (b: number) => Math.floor(LOANS / BANKS) + (b < LOANS % BANKS ? 1 : 0);
/** the bank whose late approval corrects a year of quarters (a national one, supported from the start) */
const LATE_BANK = 0;

const operatorHeaders = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` };

/** Bank `b`'s history; a local or foreign bank's applications (and all that hangs on them) start when its category opened. */
function historyOf(b: number): BankHistory & { eligibleFrom: string } {
  const h = bankHistory(b, loansOf(b));
  if (categoryOf(b) === 'national') return { ...h, eligibleFrom: '2021-07-01' };
  const early = (text: string) => {
    const m = /-A-(\d{4}Q\d)/.exec(text);
    return m !== null && m[1] < CATEGORY_OPENS;
  };
  return {
    ...h,
    eligibleFrom: '2021-07-01',
    applications: h.applications.filter((a) => a.quarter >= CATEGORY_OPENS),
    tranches: h.tranches.filter((t) => !early(t.applicationRef)),
    documents: h.documents.map((d) => ({
      ...d,
      body: { ...d.body, records: d.body.records.filter((r) => r.kind === 'operation' || !early(JSON.stringify(r))) },
    })),
  };
}

// ---------------------------------------------------------------- measuring

/**
 * Peak memory of the PostgreSQL server on `port`: the postmaster and its children together, each counted
 * by its proportional set size (shared buffers split among the processes that touch them, so the sum is
 * the server's real footprint), sampled every 250 ms.
 */
function samplePostgresMemory(port: number) {
  const read = (pid: string, file: string) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8');
    } catch {
      return '';
    }
  };
  const all = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const master = all().find((pid) => {
    const cmd = read(pid, 'cmdline').split('\0');
    return cmd[0].endsWith('/postgres') && cmd.includes(String(port));
  });
  const kbOf = (pid: string) => {
    const pss = /Pss:\s+(\d+) kB/.exec(read(pid, 'smaps_rollup'));
    return Number(pss?.[1] ?? /VmRSS:\s+(\d+) kB/.exec(read(pid, 'status'))?.[1] ?? 0);
  };
  let peakKb = 0;
  const tick = () => {
    if (!master) return;
    const pids = [master, ...all().filter((pid) => /PPid:\s+(\d+)/.exec(read(pid, 'status'))?.[1] === master)];
    peakKb = Math.max(
      peakKb,
      pids.reduce((n, pid) => n + kbOf(pid), 0),
    );
  };
  tick();
  const timer = setInterval(tick, 250);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      return peakKb / 1024;
    },
  };
}

const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

/** One request, timed in ms; a status other than `expect` is an error of its kind. */
async function timedFetch(url: string, init: RequestInit, expect: number[]) {
  const started = performance.now();
  try {
    const res = await fetch(url, init);
    await res.arrayBuffer();
    const ms = performance.now() - started;
    return { ms, ok: expect.includes(res.status), status: res.status };
  } catch {
    // the connection refused or closed: a failure of its kind, no latency
    return { ms: NaN, ok: false, status: 0 };
  }
}

async function expectStatus(res: Response, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 800)}`);
  return res.json() as Promise<Record<string, unknown>>;
}

// ---------------------------------------------------------------- phases through the API

async function createInstitutions(url: string) {
  const banks: { code: string; apiKey: string; category: string }[] = [];
  for (let b = 0; b < BANKS; b++) {
    const body = {
      code: bankCode(b),
      nameZh: `基准银行${b + 1}`,
      nameEn: `Facility Bench Bank ${b + 1}`,
      kind: 'bank',
      category: categoryOf(b),
      eligibleFrom: '2021-07-01',
    };
    const res = await fetch(`${url}/api/v1/institutions`, { method: 'POST', headers: operatorHeaders, body: JSON.stringify(body) });
    const answer = await expectStatus(res, 201, `institution ${body.code}`);
    banks.push({ code: body.code, apiKey: String(answer.apiKey), category: body.category });
  }
  const verifiers: { code: string; apiKey: string }[] = [];
  for (const code of ['FV1', 'FV2']) {
    const res = await fetch(`${url}/api/v1/institutions`, {
      method: 'POST',
      headers: operatorHeaders,
      body: JSON.stringify({ code, nameZh: `核验所${code}`, nameEn: `Verifier ${code}`, kind: 'verifier' }),
    });
    verifiers.push({ code, apiKey: String((await expectStatus(res, 201, `verifier ${code}`)).apiKey) });
  }
  return { banks, verifiers };
}

async function importHistories(url: string) {
  const queue = Array.from({ length: BANKS }, (_, b) => b);
  let loans = 0;
  const sender = async () => {
    for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
      for (const doc of historyOf(b).documents) {
        const res = await fetch(`${url}/api/v1/imports`, { method: 'POST', headers: operatorHeaders, body: JSON.stringify(doc.body) });
        const answer = (await expectStatus(res, 201, `import ${bankCode(b)} ${doc.year}`)) as { counts: { loans: { created: number } } };
        loans += answer.counts.loans.created;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  if (loans !== LOANS) throw new Error(`only ${loans} of ${LOANS} loans were imported`);
}

async function compileAll(url: string, client: pg.Client) {
  for (const quarter of QUARTERS) {
    const res = await fetch(`${url}/api/v1/disclosures/compile`, {
      method: 'POST',
      headers: operatorHeaders,
      body: JSON.stringify({ quarter }),
    });
    if (res.status !== 202) throw new Error(`compile ${quarter}: ${res.status} ${await res.text()}`);
  }
  await waitFor(
    async () =>
      Number(
        (await client.query(`select count(*) from outbox where queue = 'compile' and status in ('pending', 'enqueued')`)).rows[0].count,
      ) === 0,
    'every quarter compiled',
    3_600_000,
  );
  return Number((await client.query(`select count(*) from disclosure_versions`)).rows[0].count);
}

type Disclosure = { bank: { code: string; apiKey: string }; quarter: string };

/** Submits, assigns, checks, verifies each compiled version; waits until every one is published. */
async function verifyAndPublishAll(
  url: string,
  client: pg.Client,
  banks: { code: string; apiKey: string }[],
  verifiers: { code: string; apiKey: string }[],
) {
  const { rows } = await client.query(
    `select i.code, v.quarter from disclosure_versions v join institutions i on i.id = v.institution_id
      where v.status = 'compiled' order by i.code, v.quarter`,
  );
  const keyOf = new Map(banks.map((b) => [b.code, b]));
  const work: Disclosure[] = rows.map((r: { code: string; quarter: string }) => ({ bank: keyOf.get(r.code)!, quarter: r.quarter }));
  const total = work.length;
  const one = async (d: Disclosure, verifier: { code: string; apiKey: string }) => {
    const base = `${url}/api/v1/disclosures/${d.bank.code}/${d.quarter}`;
    const bankHeaders = { 'content-type': 'application/json', authorization: `Bearer ${d.bank.apiKey}` };
    const verifierHeaders = { 'content-type': 'application/json', authorization: `Bearer ${verifier.apiKey}` };
    // the checks before submission: a quality or macro finding (a quarter after the history's last, with
    // no new loans, is far from the last four) is confirmed with a reason first, as the bank does
    let submitted = await fetch(`${base}/submit`, { method: 'POST', headers: bankHeaders, body: '{}' });
    if (submitted.status === 409 && ((await submitted.clone().json()) as { code?: string }).code === 'disclosure_checks_unconfirmed') {
      const checks = (await expectStatus(
        await fetch(`${base}/checks`, { headers: bankHeaders }),
        200,
        `checks ${d.bank.code} ${d.quarter}`,
      )) as {
        findings: { kind: string; check: string; subject: string; confirmation: unknown }[];
      };
      for (const f of checks.findings.filter((x) => x.kind !== 'validity' && !x.confirmation)) {
        const body = JSON.stringify({ check: f.check, subject: f.subject, reason: 'the bench: explained to the verifier' });
        await expectStatus(
          await fetch(`${base}/checks/confirm`, { method: 'POST', headers: bankHeaders, body }),
          200,
          `confirm ${d.bank.code} ${d.quarter}`,
        );
      }
      submitted = await fetch(`${base}/submit`, { method: 'POST', headers: bankHeaders, body: '{}' });
    }
    await expectStatus(submitted, 200, `submit ${d.bank.code} ${d.quarter}`);
    const assignment = {
      verifier: verifier.code,
      seed: `${d.bank.code}-${d.quarter}`,
      materialityThreshold: '100000000000.00',
      randomSampleSize: 3,
    };
    await expectStatus(
      await fetch(`${base}/assign`, { method: 'POST', headers: operatorHeaders, body: JSON.stringify(assignment) }),
      200,
      `assign ${d.bank.code} ${d.quarter}`,
    );
    const queue = (await expectStatus(
      await fetch(`${url}/api/v1/verification/assignments?open=true`, { headers: verifierHeaders }),
      200,
      'assignments',
    )) as { items: { id: string; disclosure: { institution: string; quarter: string } }[] };
    const mine = queue.items.find((i) => i.disclosure.institution === d.bank.code && i.disclosure.quarter === d.quarter);
    if (!mine) throw new Error(`no open assignment for ${d.bank.code} ${d.quarter}`);
    const detail = (await expectStatus(
      await fetch(`${url}/api/v1/verification/assignments/${mine.id}`, { headers: verifierHeaders }),
      200,
      'assignment',
    )) as { sample: { loanId: string }[] };
    const findings = detail.sample.flatMap((s) =>
      ['area', 'amount', 'rate', 'reduction', 'evidence'].map((check) => ({ loanId: s.loanId, check, outcome: 'pass' })),
    );
    if (findings.length)
      await expectStatus(
        await fetch(`${base}/findings`, { method: 'POST', headers: verifierHeaders, body: JSON.stringify({ findings }) }),
        201,
        `findings ${d.bank.code} ${d.quarter}`,
      );
    await expectStatus(
      await fetch(`${base}/verdict`, {
        method: 'POST',
        headers: verifierHeaders,
        body: JSON.stringify({ verdict: 'verified', summary: '抽样核验无误' }),
      }),
      200,
      `verdict ${d.bank.code} ${d.quarter}`,
    );
  };
  // one verifier's queue per sender, so an assignment is found among few
  const senders = Array.from({ length: CONCURRENCY }, (_, i) => async () => {
    for (let d = work.shift(); d; d = work.shift()) await one(d, verifiers[i % verifiers.length]);
  });
  await Promise.all(senders.map((s) => s()));
  await waitFor(
    async () => Number((await client.query(`select count(*) from disclosure_versions where status = 'published'`)).rows[0].count) >= total,
    'every disclosure published',
    3_600_000,
  );
  return total;
}

/** The late approval: a year-old quarter's application of `LATE_BANK`'s unsupported loans, imported with its approval. */
function lateApproval() {
  const code = bankCode(LATE_BANK);
  const loans = backDatedLoans({ refPrefix: `${code}-LATE-`, count: 1_000, spreadDays: 270, firstBorrower: 900_000, hashFill: 'c' });
  return {
    institution: code,
    loans,
    records: [
      {
        kind: 'application',
        ref: `${code}-LATE-A`,
        on: '2022-09-20',
        operation: '2022Q3',
        loanRefs: loans.map((l) => l.loanRef),
        collateral: [],
      },
      { kind: 'approval', ref: `${code}-LATE-A-OK`, on: '2022-09-28', application: `${code}-LATE-A`, reason: 'approved late' },
    ],
  };
}

/** The raw aggregate of one bank's quarter (three horizons). */
const rawOfBank = (quarter: string, code: string) => `select * from (${rawAggregate(quarter)}) x where x.code = '${code}'`;

// ---------------------------------------------------------------- the mixed load

type Kind = 'public page' | 'public download' | 'bank batch' | 'bank upload' | 'operator statistics' | 'operator journal';

async function mixedLoad(url: string, banks: { code: string; apiKey: string }[], published: Disclosure[], seconds: number) {
  const latencies = new Map<Kind, number[]>();
  const errors = new Map<Kind, number>();
  const note = (kind: Kind, r: { ms: number; ok: boolean }) => {
    if (!latencies.has(kind)) latencies.set(kind, []);
    if (Number.isFinite(r.ms)) latencies.get(kind)!.push(r.ms);
    if (!r.ok) errors.set(kind, (errors.get(kind) ?? 0) + 1);
  };
  const until = performance.now() + seconds * 1000;
  const running = () => performance.now() < until;
  const inFlight: Promise<unknown>[] = [];

  // the public, open loop: a request every 1/rate s whatever the answers' pace
  const pending = new Set<Promise<void>>();
  const publicLoop = (async () => {
    let i = 0;
    const started = performance.now();
    while (running()) {
      const due = started + (i * 1000) / PUBLIC_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const d = published[i % published.length];
      const download = i % 4 === 3;
      const target = `${url}/disclosures/${d.bank.code}/${d.quarter}${download ? '.json' : ''}`;
      // at most 500 in flight: past that the client, not the service, would be what is measured
      if (pending.size >= 500) {
        note(download ? 'public download' : 'public page', { ms: NaN, ok: false });
        i += 1;
        continue;
      }
      const p: Promise<void> = timedFetch(target, {}, [200]).then(
        (r) => note(download ? 'public download' : 'public page', r),
        () => note(download ? 'public download' : 'public page', { ms: NaN, ok: false }),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
      inFlight.push(p);
      i += 1;
    }
  })();

  // the writing banks: a batch of 50 new loans each second or so, every fifth round an upload of 500
  let sequence = 0;
  const newLoan = (code: string): LoanText => {
    sequence += 1;
    const n = sequence;
    return {
      loanRef: `${code}-LIVE-${n}`,
      borrower: { name: `在线借款人${n}`, creditCode: syntheticCreditCode('91110108', 5_000_000 + n) },
      project: {
        ref: `${code}-LIVE-P${n}`,
        name: `在线项目${n}`,
        province: '内蒙古自治区',
        subArea: 'CE.SOLAR',
        totalInvestment: '1000000000.00',
        annualReductionTonnes: '120000.00',
        reductionBasis: 'feasibility_study',
        evidence: { title: '可行性研究报告', sha256: (n % 4096).toString(16).padStart(64, 'd') },
      },
      principal: '5000000.00',
      annualRatePercent: '3.20',
      disbursedOn: '2026-10-15',
      maturesOn: '2029-10-15',
    };
  };
  const csvOf = (loans: LoanText[]) =>
    stringify([
      [...LOAN_COLUMNS],
      ...loans.map((l) =>
        LOAN_COLUMNS.map((c) => {
          let at: unknown = l;
          for (const part of c.split('.')) at = (at as Record<string, unknown>)[part];
          return String(at);
        }),
      ),
    ]);
  const bankLoops = banks.slice(0, WRITING_BANKS).map(async (bank, k) => {
    await new Promise((r) => setTimeout(r, (k * 1000) / WRITING_BANKS));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${bank.apiKey}` };
    for (let round = 0; running(); round++) {
      if (round % 5 === 4) {
        const form = new FormData();
        form.set('kind', 'loans');
        form.set('file', new Blob([csvOf(Array.from({ length: 500 }, () => newLoan(bank.code)))]), 'live.csv');
        note(
          'bank upload',
          await timedFetch(
            `${url}/api/v1/uploads`,
            { method: 'POST', headers: { authorization: headers.authorization }, body: form },
            [202],
          ),
        );
      } else {
        const body = JSON.stringify({ loans: Array.from({ length: 50 }, () => newLoan(bank.code)) });
        note('bank batch', await timedFetch(`${url}/api/v1/loans/batch`, { method: 'POST', headers, body }, [200]));
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  });

  // the operators: the facility's statistics and the journal, one each a second
  const operatorLoop = (async () => {
    while (running()) {
      note('operator statistics', await timedFetch(`${url}/api/v1/facility/statistics`, { headers: operatorHeaders }, [200]));
      note('operator journal', await timedFetch(`${url}/api/v1/journal?limit=50`, { headers: operatorHeaders }, [200]));
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  await Promise.all([publicLoop, operatorLoop, ...bankLoops]);
  await Promise.all(inFlight);
  return { latencies, errors };
}

/** A bare node:http server answering `body` at the same open-loop rate: the public's raw equivalent. */
async function bareBaseline(body: Buffer, seconds: number) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const ms: number[] = [];
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    const wait = started + (i * 1000) / PUBLIC_RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(timedFetch(url, {}, [200]).then((r) => void ms.push(r.ms)));
  }
  await Promise.all(pending);
  await new Promise<void>((r) => server.close(() => r()));
  return ms;
}

// ---------------------------------------------------------------- the benchmark

const bench: Benchmark = async ({ pg: server, log }) => {
  const national = Array.from({ length: BANKS }, (_, b) => categoryOf(b)).filter((c) => c === 'national').length;
  log(
    `${fmt(LOANS)} loans, ${BANKS} banks (${national} national, ${BANKS - national} local or foreign), ${QUARTERS.length} quarters (${QUARTERS[0]}–${QUARTERS[QUARTERS.length - 1]}), load ${LOAD_SECONDS} s at ${PUBLIC_RATE} public requests/s, ${WRITING_BANKS} banks writing; ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  );
  const pgRss = samplePostgresMemory(server.port);
  const phases: { name: string; ours: number; raw: number | null; note: string }[] = [];

  // the raw side: its own database, the same rows by COPY, then the raw aggregates
  const rawUrl = await freshDatabase(server, 'facility_raw');
  const rawCopy = await copyBaseline(rawUrl, function* () {
    for (let b = 0; b < BANKS; b++) yield historyOf(b);
  });
  log(`raw COPY of the histories   ${fmt(rawCopy.seconds, 2)} s (${fmt(rawCopy.loans)} loans)`);
  const rawClient = new pg.Client({ connectionString: rawUrl });
  rawClient.on('error', () => {});
  await rawClient.connect();
  await rawClient.query('vacuum analyze');
  const rawCompile = await timed(async () => {
    for (const quarter of QUARTERS) await rawClient.query(rawAggregate(quarter));
  });

  // the service's side
  const { url: apiUrl, client } = await serviceDatabase(server, 'facility_api');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-facility-'));
  const service = await startServiceProcess({ DATABASE_URL: apiUrl, DATA_DIR: dataDir });
  const rss = await sampleRss(service.pid);
  try {
    const institutions = await timed(() => createInstitutions(service.url));
    phases.push({ name: 'institutions', ours: institutions.seconds, raw: null, note: `${BANKS} banks, 2 verifiers through the API` });
    const { banks, verifiers } = institutions.value;

    const imported = await timedWithStatementStats(client, log, 'history import', () => importHistories(service.url));
    phases.push({
      name: 'history import',
      ours: imported.seconds,
      raw: rawCopy.seconds,
      note: `${fmt(LOANS)} loans, ${BANKS * 5} documents`,
    });
    log(`history imported            ${fmt(imported.seconds, 1)} s (${fmt(LOANS / imported.seconds)} loans/s)`);

    const compiled = await timedWithStatementStats(client, log, 'compile', () => compileAll(service.url, client));
    phases.push({ name: 'compile', ours: compiled.seconds, raw: rawCompile.seconds, note: `${fmt(compiled.value)} versions` });
    log(`compiled                    ${fmt(compiled.seconds, 1)} s (${fmt(compiled.value)} versions)`);

    const published = await timedWithStatementStats(client, log, 'verify and publish', () =>
      verifyAndPublishAll(service.url, client, banks, verifiers),
    );
    // raw: one transaction a disclosure that reads its version and three of its loans and writes its status
    const { rows: versions } = await client.query(`select id, institution_id from disclosure_versions where status = 'published'`);
    const rawPublish = await timed(async () => {
      for (const v of versions as { id: string; institution_id: string }[]) {
        await client.query('begin');
        await client.query('select content from disclosure_versions where id = $1', [v.id]);
        await client.query('select id, principal_fen from loans where institution_id = $1 order by id limit 3', [v.institution_id]);
        await client.query('update disclosure_versions set status = status where id = $1', [v.id]);
        await client.query('commit');
      }
    });
    phases.push({
      name: 'verify and publish',
      ours: published.seconds,
      raw: rawPublish.seconds,
      note: `${fmt(published.value)} disclosures`,
    });
    log(`verified and published      ${fmt(published.seconds, 1)} s (${fmt(published.value)} disclosures)`);

    // the public's raw equivalent first: a bare server answering the published page's bytes at the same rate
    const { rows: pages } = await client.query(
      `select i.code, v.quarter from disclosure_versions v join institutions i on i.id = v.institution_id where v.status = 'published' order by v.quarter desc, i.code`,
    );
    const codeKey = new Map(banks.map((b) => [b.code, b]));
    const publishedList: Disclosure[] = pages.map((p: { code: string; quarter: string }) => ({
      bank: codeKey.get(p.code)!,
      quarter: p.quarter,
    }));
    const samplePage = Buffer.from(
      await (await fetch(`${service.url}/disclosures/${publishedList[0].bank.code}/${publishedList[0].quarter}`)).arrayBuffer(),
    );
    const bare = await bareBaseline(samplePage, Math.min(30, LOAD_SECONDS));

    // the late approval during the load
    await resetStatementStats(client);
    const versionsBefore = Number((await client.query(`select count(*) from disclosure_versions`)).rows[0].count);
    const lateBody = JSON.stringify(lateApproval());
    // sent with an Idempotency-Key, so a retry after a connection closed under the load books it once
    const lateHeaders = { ...operatorHeaders, 'idempotency-key': `facility-late-${Date.now()}` };
    const correcting = timed(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${service.url}/api/v1/imports`, { method: 'POST', headers: lateHeaders, body: lateBody });
          return await expectStatus(res, 201, 'late approval');
        } catch (err) {
          if (attempt >= 3 || !(err instanceof TypeError)) throw err;
          log(`late approval: ${err.message} (${String((err.cause as Error | undefined)?.message)}); sent again`);
        }
      }
    });
    correcting.catch(() => undefined); // awaited after the load
    const load = await mixedLoad(service.url, banks, publishedList, LOAD_SECONDS);
    const correction = await correcting;
    await logStatementStats(client, (line) => log(`mixed load: ${line.trimStart()}`));
    const corrected = (
      await client.query(
        `select v.quarter from disclosure_versions v join institutions i on i.id = v.institution_id
          where i.code = $1 and v.version > 1 group by v.quarter order by v.quarter`,
        [bankCode(LATE_BANK)],
      )
    ).rows.map((r: { quarter: string }) => r.quarter);
    const rawCorrection = await timed(async () => {
      for (const quarter of corrected) await rawClient.query(rawOfBank(quarter, bankCode(LATE_BANK)));
    });
    phases.push({
      name: 'late approval',
      ours: correction.seconds,
      raw: rawCorrection.seconds,
      note: `${corrected.length} quarters corrected (${Number((await client.query(`select count(*) from disclosure_versions`)).rows[0].count) - versionsBefore} new versions), under the load`,
    });

    const servicePeak = await rss.stop();
    const postgresPeak = pgRss.stop();
    const loans = Number((await client.query(`select count(*) from loans`)).rows[0].count);
    const size = Number((await client.query(`select pg_database_size(current_database()) as b`)).rows[0].b);

    for (const p of phases) {
      const ratio = p.raw === null ? null : p.ours / p.raw;
      log(
        `${p.name.padEnd(20)} ${fmt(p.ours, 1).padStart(8)} s${p.raw === null ? '' : `  raw ${fmt(p.raw, 2)} s  ratio ${fmt(ratio!, 2)} (target ≤ 2: ${ratio! <= 2 ? 'met' : 'NOT met'})`}  — ${p.note}`,
      );
    }
    const show = (kind: string, xs: number[], errs = 0) =>
      log(
        `${kind.padEnd(20)} ${fmt(xs.length).padStart(7)} requests  p50 ${fmt(percentile(xs, 50), 1)} ms  p99 ${fmt(percentile(xs, 99), 1)} ms${errs ? `  ${errs} failed` : ''}`,
      );
    show('bare node:http', bare);
    for (const [kind, xs] of load.latencies) show(kind, xs, load.errors.get(kind) ?? 0);
    const publicP99 = percentile([...(load.latencies.get('public page') ?? []), ...(load.latencies.get('public download') ?? [])], 99);
    const writesP99 = percentile([...(load.latencies.get('bank batch') ?? []), ...(load.latencies.get('bank upload') ?? [])], 99);
    log(
      `public p99 ${fmt(publicP99, 1)} ms (target ≤ 50: ${publicP99 <= 50 ? 'met' : 'NOT met'}); bank writes p99 ${fmt(writesP99, 0)} ms (target ≤ 1,000: ${writesP99 <= 1000 ? 'met' : 'NOT met'})`,
    );
    log(`peak RSS: service ${fmt(servicePeak)} MB, PostgreSQL ${fmt(postgresPeak)} MB (its processes' proportional set sizes together)`);
    log(`database ${fmt(size / 1024 / 1024)} MB for ${fmt(loans)} loans: ${fmt(size / 1024 / 1024 / (loans / 1e6))} MB per million loans`);
    log(
      `load average at the end ${os
        .loadavg()
        .map((l) => fmt(l, 1))
        .join(' ')}`,
    );
  } finally {
    rss.stop().catch(() => undefined);
    pgRss.stop();
    await service.stop();
    await client.end();
    await rawClient.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

export default bench;
