/**
 * Quarterly compilation: one quarter (2022Q3) for 30 banks over 1,000,000 loans (90 % covered by
 * approved support, some disbursed after the quarter), compiled by the service (POST
 * /api/v1/disclosures/compile → outbox → relay → BullMQ → the fan-out → its two parts, each reading its
 * banks' loans once and storing their versions), against the
 * raw SQL aggregate that computes the same three horizons' figures for every bank in one statement,
 * on the same server in the same run. Target: compilation within 1.5× the raw aggregate. Prints the
 * service's peak RSS. BENCH_COMPILE_LOANS overrides the loan count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { formatFenAsWanYuan } from '../domain/money.js';
import { waitFor } from '../process/embedded/process-tools.js';
import {
  fmt,
  serviceDatabase,
  sampleRss,
  timed,
  type Benchmark,
  startServiceProcess,
  summariesSettled,
  BENCH_OPERATOR_KEY,
  resetStatementStats,
  logStatementStats,
} from './support.js';
import { seedCoveredBook } from './synthetic-book.js';

const LOANS = Number(process.env.BENCH_COMPILE_LOANS ?? 1_000_000);
const BANKS = 30;
const PROJECTS = Math.max(BANKS, Math.floor(LOANS / 10));
const QUARTER = '2022Q3';
const OPERATOR_KEY = BENCH_OPERATOR_KEY;

/** Loans, projects and approved support generated inside PostgreSQL (fast, deterministic). */
export async function generate(client: pg.Client) {
  await client.query(`insert into institutions (code, name_zh, name_en, kind, eligible_from)
    select 'B' || lpad(i::text, 2, '0'), '基准银行' || i, 'Bench Bank ' || i, 'bank', '2021-11-08' from generate_series(1, ${BANKS}) i`);
  const {
    rows: [user],
  } = await client.query(`insert into users (institution_id, name, role, api_key_sha256)
    select id, 'bench', 'bank', md5(random()::text) from institutions where code = 'B01' returning id`);
  await seedCoveredBook(client, {
    projects: PROJECTS,
    loans: LOANS,
    disbursedFrom: '2021-07-01',
    spreadDays: 480,
    operation: { quarter: '2022Q4', opensOn: '2022-10-01', closesOn: '2022-12-31', appliedOn: '2022-10-08' },
    someUncovered: true,
    userId: user.id,
  });
  await client.query('vacuum analyze');
}

/** The raw baseline: the three horizons' figures for every bank, in one aggregate. */
export const RAW = (() => {
  const horizon = (name: string, from: string) => {
    const f = `filter (where l.disbursed_on >= date '${from}')`;
    return `count(distinct l.project_id) ${f} as ${name}_projects,
      sum(l.principal_fen) ${f} as ${name}_principal_fen,
      round(sum(l.rate_ppm::numeric * l.principal_fen) ${f} / sum(l.principal_fen) ${f} / 10000, 2) as ${name}_rate,
      round(sum(p.annual_reduction_centitonnes::numeric * l.principal_fen / p.total_investment_fen) ${f} / 100, 2) as ${name}_tonnes`;
  };
  return `select i.code, ${horizon('q', '2022-07-01')}, ${horizon('y', '2022-01-01')}, ${horizon('a', '0001-01-01')}
    from loans l join projects p on p.id = l.project_id join institutions i on i.id = l.institution_id
    join application_loans al on al.loan_id = l.id and al.active = 1
    join applications a on a.id = al.application_id and a.status in ('approved','disbursed')
    where l.disbursed_on <= date '2022-09-30'
    group by i.code order by i.code`;
})();

const bench: Benchmark = async ({ pg: server, log }) => {
  // the latest ended quarter's compile (the service catches it up on start) marked handled: only the bench's quarter runs
  const { url: databaseUrl, client } = await serviceDatabase(server, 'compile');
  const generated = await timed(() => generate(client));
  log(`${fmt(LOANS)} loans, ${fmt(PROJECTS)} projects, ${BANKS} banks generated in ${fmt(generated.seconds, 1)} s`);

  const rawBefore = await timed(() => client.query(RAW));
  log(`raw SQL aggregate          ${fmt(rawBefore.seconds, 2)} s`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-compile-'));
  const service = await startServiceProcess({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
  await summariesSettled(client);
  const rss = await sampleRss(service.pid);
  await resetStatementStats(client);
  const ours = await timed(async () => {
    const res = await fetch(`${service.url}/api/v1/disclosures/compile`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_KEY}` },
      body: JSON.stringify({ quarter: QUARTER }),
    });
    if (res.status !== 202) throw new Error(`compile: ${res.status} ${await res.text()}`);
    await waitFor(
      async () =>
        Number((await client.query(`select count(*) from disclosure_versions where quarter = $1`, [QUARTER])).rows[0].count) === BANKS,
      'compilation',
      600_000,
    );
  });
  const peakMb = await rss.stop();
  await service.stop();
  await logStatementStats(client, log);
  const rawAfter = await timed(() => client.query(RAW));
  log(`raw SQL aggregate again    ${fmt(rawAfter.seconds, 2)} s`);

  // the compiled figures agree with the raw aggregate's
  const raw = rawAfter.value.rows as Record<string, string>[];
  const stored = (
    await client.query(
      `select i.code, v.content from disclosure_versions v join institutions i on i.id = v.institution_id where v.quarter = $1`,
      [QUARTER],
    )
  ).rows as {
    code: string;
    content: {
      horizons: Record<
        string,
        { projects: number; loanAmountWanYuan: string; weightedAverageRatePercent: string; annualReductionTonnes: string }
      >;
    };
  }[];
  let agree = 0;
  for (const r of raw) {
    const c = stored.find((s) => s.code === r.code)?.content.horizons;
    const same = (h: string, key: string) =>
      c &&
      c[key].projects === Number(r[`${h}_projects`]) &&
      c[key].loanAmountWanYuan === formatFenAsWanYuan(BigInt(r[`${h}_principal_fen`])) &&
      c[key].weightedAverageRatePercent === r[`${h}_rate`] &&
      c[key].annualReductionTonnes === r[`${h}_tonnes`];
    if (same('q', 'quarter') && same('y', 'yearToDate') && same('a', 'sinceInception')) agree += 1;
    else if (agree === 0 && process.env.BENCH_LOG_LEVEL) log(`differs: ${JSON.stringify(r)} vs ${JSON.stringify(c)}`);
  }
  await client.end();
  rmSync(dataDir, { recursive: true, force: true });

  const rawSeconds = Math.min(rawBefore.seconds, rawAfter.seconds);
  const ratio = ours.seconds / rawSeconds;
  log(`ours (POST → 30 versions)  ${fmt(ours.seconds, 2)} s, service peak RSS ${fmt(peakMb)} MB`);
  log(`ratio ours/raw             ${fmt(ratio, 2)}  (target ≤ 1.50: ${ratio <= 1.5 ? 'met' : 'NOT met'})`);
  log(`figures agreeing with raw  ${agree}/${raw.length} banks (3 horizons each)`);
};

export default bench;
