/**
 * Corrections: a bank with 100,000 loans (all covered by approved support, disbursed evenly over
 * 2021Q4–2026Q3) and its 20 quarters compiled by the service receives a back-dated history import
 * touching its first year (BENCH_CORRECTION_IMPORT_LOANS loans of 2021Q4–2022Q3, default 1,000, with
 * their operation, application and approval). Timed: from the POST /api/v1/imports until every
 * affected quarter (all 20: the first year's own figures, every later quarter's since-inception ones)
 * has its new version — the import corrects in its own transaction, so that is the request's answer.
 * Against: a fresh compile of the same 20 quarters with the raw SQL aggregate (three horizons each), on
 * the same server in the same run. Target: ratio ≤ 2. BENCH_CORRECTION_LOANS overrides the loan count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { quarterPeriod } from '../domain/disclosures/compile.js';
import { formatFenAsWanYuan } from '../domain/money.js';
import { waitFor } from '../process/embedded/process-tools.js';
import {
  BENCH_OPERATOR_KEY,
  fmt,
  freshDatabase,
  logStatementStats,
  resetStatementStats,
  sampleRss,
  startServiceProcess,
  summariesSettled,
  timed,
  type Benchmark,
} from './support.js';
import { backDatedLoans, seedCoveredBook } from './synthetic-book.js';

const LOANS = Number(process.env.BENCH_CORRECTION_LOANS ?? 100_000);
const IMPORTED = Number(process.env.BENCH_CORRECTION_IMPORT_LOANS ?? 1_000);
const PROJECTS = Math.max(1, Math.floor(LOANS / 10));
const BANK = 'C01';
const QUARTERS = [2021, 2022, 2023, 2024, 2025, 2026]
  .flatMap((y) => [1, 2, 3, 4].map((q) => `${y}Q${q}`))
  .filter((q) => q >= '2021Q4' && q <= '2026Q3');

async function generate(client: pg.Client) {
  await client.query(`insert into institutions (code, name_zh, name_en, kind, eligible_from)
    values ('${BANK}', '更正基准银行', 'Corrections Bench Bank', 'bank', '2021-07-01')`);
  const {
    rows: [user],
  } = await client.query(`insert into users (institution_id, name, role, api_key_sha256)
    select id, 'bench', 'bank', md5(random()::text) from institutions where code = '${BANK}' returning id`);
  await seedCoveredBook(client, {
    projects: PROJECTS,
    loans: LOANS,
    disbursedFrom: '2021-10-01',
    spreadDays: 1826,
    operation: { quarter: '2021Q4', opensOn: '2021-10-01', closesOn: '2021-12-31', appliedOn: '2021-12-08' },
    userId: user.id,
  });
  await client.query('vacuum analyze');
}

/** The raw baseline for one quarter: the three horizons' figures of the bank in one aggregate. */
const rawOf = (quarter: string) => {
  const { start, end } = quarterPeriod(quarter);
  const horizon = (name: string, from: string) => {
    const f = `filter (where l.disbursed_on >= date '${from}')`;
    return `count(distinct l.project_id) ${f} as ${name}_projects,
      sum(l.principal_fen) ${f} as ${name}_principal_fen,
      round(sum(l.rate_ppm::numeric * l.principal_fen) ${f} / sum(l.principal_fen) ${f} / 10000, 2) as ${name}_rate,
      round(sum(p.annual_reduction_centitonnes::numeric * l.principal_fen / p.total_investment_fen) ${f} / 100, 2) as ${name}_tonnes`;
  };
  return `select count(*) as loans, ${horizon('q', start)}, ${horizon('y', `${start.slice(0, 4)}-01-01`)}, ${horizon('a', '0001-01-01')}
    from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id
    join application_loans al on al.loan_id = l.id and al.active = 1
    join applications a on a.id = al.application_id and a.status in ('approved','disbursed')
    where i.code = '${BANK}' and l.disbursed_on <= date '${end}'`;
};

/** The back-dated history: IMPORTED loans of the first year, their operation, application and approval. */
function importDocument() {
  const loans = backDatedLoans({ refPrefix: 'IMP-', count: IMPORTED, spreadDays: 365, firstBorrower: 500_000, hashFill: 'a' });
  return {
    institution: BANK,
    loans,
    records: [
      { kind: 'operation', quarter: '2022Q3', volume: '10000000000000.00', on: '2022-07-01' },
      {
        kind: 'application',
        ref: 'IMP-A',
        on: '2022-09-30',
        operation: '2022Q3',
        loanRefs: loans.map((l) => l.loanRef),
        collateral: [],
      },
      { kind: 'approval', ref: 'IMP-A-OK', on: '2022-09-30', application: 'IMP-A', reason: 'meets the rules' },
    ],
  };
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const databaseUrl = await freshDatabase(server, 'corrections');
  const migrated = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolMax: 1 });
  await migrated.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  const generated = await timed(() => generate(client));
  log(`${fmt(LOANS)} loans, ${fmt(PROJECTS)} projects, 1 bank generated in ${fmt(generated.seconds, 1)} s`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-corrections-'));
  const service = await startServiceProcess({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
  await summariesSettled(client);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` };
  const versions = async () => Number((await client.query(`select count(*) from disclosure_versions`)).rows[0].count);
  const compiled = await timed(async () => {
    for (const quarter of QUARTERS) {
      const res = await fetch(`${service.url}/api/v1/disclosures/compile`, { method: 'POST', headers, body: JSON.stringify({ quarter }) });
      if (res.status !== 202) throw new Error(`compile ${quarter}: ${res.status} ${await res.text()}`);
    }
    await waitFor(async () => (await versions()) >= QUARTERS.length, 'the 20 quarters compiled', 1_800_000);
  });
  log(`${QUARTERS.length} quarters compiled by the service in ${fmt(compiled.seconds, 1)} s (set-up)`);

  const body = JSON.stringify(importDocument());
  const rss = await sampleRss(service.pid);
  await resetStatementStats(client);
  const ours = await timed(async () => {
    const res = await fetch(`${service.url}/api/v1/imports`, { method: 'POST', headers, body });
    if (res.status !== 201) throw new Error(`import: ${res.status} ${(await res.text()).slice(0, 800)}`);
    await waitFor(async () => (await versions()) >= 2 * QUARTERS.length, 'every quarter corrected', 1_800_000);
  });
  const peakMb = await rss.stop();
  await service.stop();
  await logStatementStats(client, log);

  // the fresh compile of the same quarters, raw
  let rawSeconds = 0;
  let agree = 0;
  for (const quarter of QUARTERS) {
    const raw = await timed(() => client.query(rawOf(quarter)));
    rawSeconds += raw.seconds;
    const r = raw.value.rows[0] as Record<string, string>;
    const {
      rows: [v],
    } = await client.query(
      `select v.version, v.reason, v.content from disclosure_versions v where v.quarter = $1 order by v.version desc limit 1`,
      [quarter],
    );
    const h = v.content.horizons as Record<
      string,
      { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string; annualReductionTonnes: string }
    >;
    const same = (p: string, key: string) =>
      h[key].projects === Number(r[`${p}_projects`]) &&
      h[key].loanAmountWanYuan === formatFenAsWanYuan(BigInt(r[`${p}_principal_fen`] ?? 0)) &&
      (h[key].projects === 0 || h[key].weightedAverageRatePercent === r[`${p}_rate`]) &&
      (h[key].projects === 0 || h[key].annualReductionTonnes === r[`${p}_tonnes`]);
    if (
      v.version === 2 &&
      v.reason === 'history_imported' &&
      same('a', 'sinceInception') &&
      same('y', 'yearToDate') &&
      same('q', 'quarter')
    )
      agree += 1;
    else if (process.env.BENCH_LOG_LEVEL) log(`${quarter} differs: v${v.version} ${v.reason} ${JSON.stringify(r)} vs ${JSON.stringify(h)}`);
  }
  await client.end();
  rmSync(dataDir, { recursive: true, force: true });

  const ratio = ours.seconds / rawSeconds;
  log(`raw SQL aggregate, ${QUARTERS.length} quarters  ${fmt(rawSeconds, 2)} s`);
  log(
    `ours (POST import of ${fmt(IMPORTED)} loans → ${QUARTERS.length} new versions)  ${fmt(ours.seconds, 2)} s, service peak RSS ${fmt(peakMb)} MB`,
  );
  log(`ratio ours/raw             ${fmt(ratio, 2)}  (target ≤ 2.00: ${ratio <= 2 ? 'met' : 'NOT met'})`);
  log(`quarters corrected and agreeing with raw  ${agree}/${QUARTERS.length}`);
};

export default bench;
