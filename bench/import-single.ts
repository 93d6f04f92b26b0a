/**
 * A large single-bank history import: one bank's whole history (2021Q3–2026Q2: 20,000 loans and its
 * operations, applications, approvals, tranches, rollovers and repayments, about 109 records) as ONE
 * document through POST /api/v1/imports, after the service has compiled the bank's quarters once (so the
 * import's corrections compile every quarter again). Reports the import's wall time and the loans per
 * second; the cost should grow with the document (compare BENCH_LOANS=5000 with the default).
 * BENCH_LOANS overrides the loan count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../db/client.js';
import { bankHistory } from './history-import.js';
import { quarterOf } from '../domain/dates.js';
import { waitFor } from '../process/embedded/process-tools.js';
import {
  BENCH_OPERATOR_KEY,
  fmt,
  freshDatabase,
  logStatementStats,
  resetStatementStats,
  startServiceProcess,
  timed,
  type Benchmark,
} from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 20_000);
/** loans of another bank imported, compiled and analysed first (the server's statistics then know one bank only) */
const WARM = Number(process.env.BENCH_WARM_LOANS ?? 1_000);
const PGLITE = process.env.BENCH_DRIVER === 'pglite';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` };

/** Another bank's history imported and every quarter compiled, then ANALYZE: the state of a service already in use. */
async function warmUp(url: string, client: pg.Client, log: (line: string) => void) {
  const other = bankHistory(1, WARM);
  const res = await fetch(`${url}/api/v1/institutions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ code: other.code, nameZh: '另一银行', nameEn: 'Another Bank', kind: 'bank', eligibleFrom: '2021-07-01' }),
  });
  if (res.status !== 201) throw new Error(`institution: ${res.status} ${await res.text()}`);
  const doc = { institution: other.code, loans: other.loans, records: other.documents.flatMap((d) => d.body.records) };
  const imported = await fetch(`${url}/api/v1/imports`, { method: 'POST', headers, body: JSON.stringify(doc) });
  if (imported.status !== 201) throw new Error(`warm import: ${imported.status} ${(await imported.text()).slice(0, 500)}`);
  const quarters = [...new Set(other.loans.map((l) => quarterOf(l.disbursedOn)))];
  for (const quarter of quarters) {
    const c = await fetch(`${url}/api/v1/disclosures/compile`, { method: 'POST', headers, body: JSON.stringify({ quarter }) });
    if (c.status !== 202) throw new Error(`compile ${quarter}: ${c.status}`);
  }
  if (PGLITE) {
    await new Promise((r) => setTimeout(r, 20_000));
  } else {
    await waitFor(
      async () => Number((await client.query(`select count(distinct quarter) from disclosure_versions`)).rows[0].count) >= quarters.length,
      'compilation',
      600_000,
    );
    await client.query('analyze');
  }
  log(`warm-up             ${fmt(WARM)} loans of ${other.code} imported, ${quarters.length} quarters compiled, statistics analysed`);
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const history = bankHistory(0, LOANS);
  const document = { institution: history.code, loans: history.loans, records: history.documents.flatMap((d) => d.body.records) };
  const body = JSON.stringify(document);
  log(`${fmt(LOANS)} loans, ${fmt(document.records.length)} records in one document (${fmt(body.length / 1e6, 1)} MB)`);

  const url = await freshDatabase(server, 'import_single');
  const migrated = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir(), poolMax: 1 });
  await migrated.close();
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  if (process.env.BENCH_SLOW_MS)
    await client.query(
      `alter database ${new URL(url).pathname.slice(1)} set log_min_duration_statement = ${Number(process.env.BENCH_SLOW_MS)}`,
    );
  await resetStatementStats(client);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-import-single-'));
  const service = await startServiceProcess({ DATABASE_URL: url, DATA_DIR: dataDir });
  const institution = await fetch(`${service.url}/api/v1/institutions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      code: history.code,
      nameZh: '单行历史基准银行',
      nameEn: 'Single-bank Bench Bank',
      kind: 'bank',
      eligibleFrom: '2021-07-01',
    }),
  });
  if (institution.status !== 201) throw new Error(`institution: ${institution.status} ${await institution.text()}`);
  if (WARM) await warmUp(service.url, client, log);
  const imported = await timed(async () => {
    const res = await fetch(`${service.url}/api/v1/imports`, { method: 'POST', headers, body });
    const answer = (await res.json()) as { status?: string; counts?: { loans: { created: number } } };
    if (res.status !== 201 || answer.status !== 'completed')
      throw new Error(`import: ${res.status} ${JSON.stringify(answer).slice(0, 800)}`);
    return answer.counts!.loans.created;
  });
  if (imported.value !== LOANS) throw new Error(`only ${imported.value} of ${LOANS} loans were imported`);
  log(`import              ${fmt(imported.seconds, 1)} s (${fmt(LOANS / imported.seconds)} loans/s)`);
  await logStatementStats(client, log);
  await service.stop();
  await client.end();
  rmSync(dataDir, { recursive: true, force: true });
};

export default bench;
