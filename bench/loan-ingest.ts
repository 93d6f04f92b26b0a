/**
 * Loan ingestion: 100,000 generated loans through POST /api/v1/loans/batch (10,000 a request) into
 * a PostgreSQL server, against COPY of the same rows into the same tables on the same server (the
 * raw baseline). Target: the API reaches at least half the raw rate, the service's peak RSS stays
 * under 512 MB. The PGlite figures (rate and RSS) are printed too, without a target.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { loanFactsFromText, loanContentSha256 } from '../domain/loans/facts.js';
import type { LoanText } from '../domain/loans/facts.js';
import { benchLoans } from './loans.js';
import { fmt, freshDatabase, sampleRss, timed, type Benchmark, startServiceProcess, BENCH_OPERATOR_KEY, copyLines } from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);
const BATCH = 10_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const OPERATOR_KEY = BENCH_OPERATOR_KEY;

async function ingestThroughApi(url: string, rows: LoanText[]) {
  const bank = await fetch(`${url}/api/v1/institutions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_KEY}` },
    body: JSON.stringify({ code: 'BENCH', nameZh: '基准银行', nameEn: 'Bench Bank', kind: 'bank', eligibleFrom: '2021-11-08' }),
  }).then((r) => r.json() as Promise<{ apiKey: string }>);
  let created = 0;
  const starts = Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, k) => k * BATCH);
  // a bank's uploader keeps CONCURRENCY requests in flight
  const sender = async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) {
      const res = await fetch(`${url}/api/v1/loans/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bank.apiKey}`, 'idempotency-key': `bench-${start}` },
        body: JSON.stringify({ loans: rows.slice(start, start + BATCH) }),
      });
      const body = (await res.json()) as { summary: { created: number } };
      if (!res.ok) throw new Error(`batch failed: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      created += body.summary.created;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  if (created !== rows.length) throw new Error(`only ${created} of ${rows.length} loans were created`);
}

const tsv = (v: unknown) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));

/** The raw baseline: the same loan and project rows, COPYed into the migrated tables. */
export async function copyBaseline(databaseUrl: string, rows: LoanText[]) {
  const database = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolMax: 1 });
  await database.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  const institutionId = randomUUID();
  const userId = randomUUID();
  await client.query(
    `insert into institutions (id, code, name_zh, name_en, kind, eligible_from) values ($1, 'RAW', '基准', 'Raw', 'bank', '2021-11-08')`,
    [institutionId],
  );
  await client.query(`insert into users (id, institution_id, name, role, api_key_sha256) values ($1, $2, 'raw', 'bank', $3)`, [
    userId,
    institutionId,
    randomUUID(),
  ]);
  const projectIds = new Map<string, string>();
  const projectLines: string[] = [];
  const loanLines: string[] = [];
  for (const row of rows) {
    const facts = loanFactsFromText(row);
    let projectId = projectIds.get(row.project.ref);
    if (!projectId) {
      projectId = randomUUID();
      projectIds.set(row.project.ref, projectId);
      projectLines.push(
        [
          projectId,
          institutionId,
          row.project.ref,
          row.project.name,
          row.project.province,
          row.project.subArea,
          facts.project.totalInvestmentFen,
          facts.project.annualReductionCentitonnes,
          row.project.reductionBasis,
          row.project.evidence.title,
          row.project.evidence.sha256,
          0,
        ]
          .map(tsv)
          .join('\t'),
      );
    }
    loanLines.push(
      [
        randomUUID(),
        institutionId,
        row.loanRef,
        projectId,
        row.borrower.name,
        row.borrower.creditCode,
        facts.principalFen,
        facts.principalFen,
        facts.ratePpm,
        row.disbursedOn,
        row.maturesOn,
        '2021-11',
        '2021-11-launch',
        '5y_plus',
        '2022-05',
        44500,
        true,
        'eligible',
        '[]',
        loanContentSha256(facts),
        userId,
      ]
        .map(tsv)
        .join('\t'),
    );
  }
  const copy = (copySql: string, lines: string[]) => copyLines(client, copySql, lines);
  const result = await timed(async () => {
    await client.query('begin');
    await copy(
      'copy projects (id, institution_id, ref, name, province, sub_area, total_investment_fen, annual_reduction_centitonnes, reduction_basis, evidence_title, evidence_sha256, funded_fen) from stdin',
      projectLines,
    );
    await copy(
      'copy loans (id, institution_id, loan_ref, project_id, borrower_name, borrower_credit_code, principal_fen, outstanding_fen, rate_ppm, disbursed_on, matures_on, taxonomy_version, policy_version, lpr_tenor, lpr_month, lpr_ppm, within_lpr_band, eligibility, flags, content_sha256, changed_by) from stdin',
      loanLines,
    );
    await client.query('commit');
  });
  await client.end();
  return result.seconds;
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const rows = benchLoans(LOANS);
  log(
    `${fmt(LOANS)} loans, ${fmt(new Set(rows.map((r) => r.project.ref)).size)} projects, batches of ${fmt(BATCH)}, ${CONCURRENCY} requests in flight`,
  );

  // the raw baseline runs before and after the API, and its better run counts (the stricter comparison)
  const rawBefore = await copyBaseline(await freshDatabase(server, 'ingest_raw'), rows);
  log(`raw COPY            ${fmt(LOANS / rawBefore)} loans/s (${fmt(rawBefore, 2)} s)`);

  const apiUrl = await freshDatabase(server, 'ingest_api');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-'));
  const service = await startServiceProcess({ DATABASE_URL: apiUrl, DATA_DIR: dataDir });
  const rss = await sampleRss(service.pid);
  const api = await timed(() => ingestThroughApi(service.url, rows));
  const peakMb = await rss.stop();
  await service.stop();
  const rawAfter = await copyBaseline(await freshDatabase(server, 'ingest_raw'), rows);
  log(`raw COPY again      ${fmt(LOANS / rawAfter)} loans/s (${fmt(rawAfter, 2)} s)`);
  const rawRate = LOANS / Math.min(rawBefore, rawAfter);
  const apiRate = LOANS / api.seconds;
  log(`API (PostgreSQL)    ${fmt(apiRate)} loans/s (${fmt(api.seconds, 2)} s), service peak RSS ${fmt(peakMb)} MB`);
  log(
    `ratio API/raw       ${fmt(apiRate / rawRate, 2)}  (target ≥ 0.50: ${apiRate / rawRate >= 0.5 ? 'met' : 'NOT met'}); RSS target < 512 MB: ${peakMb < 512 ? 'met' : 'NOT met'}`,
  );

  const pgliteDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-pglite-'));
  const embedded = await startServiceProcess({ DATA_DIR: pgliteDir });
  const rssLite = await sampleRss(embedded.pid);
  const lite = await timed(() => ingestThroughApi(embedded.url, rows));
  const peakLiteMb = await rssLite.stop();
  await embedded.stop();
  log(
    `API (PGlite)        ${fmt(LOANS / lite.seconds)} loans/s (${fmt(lite.seconds, 2)} s), service peak RSS ${fmt(peakLiteMb)} MB (no target)`,
  );
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(pgliteDir, { recursive: true, force: true });
};

export default bench;
