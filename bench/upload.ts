/**
 * Uploads: 100,000 generated loans as one CSV and as one XLSX file through POST /api/v1/uploads (the
 * upload job parses the file as it streams out of the database, checks every row and writes them in
 * one transaction), timed from the first byte sent to the job's completion as the client sees it by
 * polling, against COPY of the same rows into the same tables on the same server (the raw baseline,
 * better of a run before and after). Targets: CSV ratio ≥ 0.5, XLSX ratio ≥ 0.35 (medians of five runs), service peak RSS
 * under 512 MB.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ExcelJS } from '../platform/excel.js';
import type { LoanText } from '../domain/loans/facts.js';
import { LOAN_COLUMNS } from '../schemas/uploads.js';
import { copyBaseline } from './loan-ingest.js';
import { benchLoans } from './loans.js';
import pg from 'pg';
import {
  BENCH_OPERATOR_KEY,
  fmt,
  freshDatabase,
  logStatementStats,
  resetStatementStats,
  sampleRss,
  startServiceProcess,
  timed,
  type Benchmark,
} from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);

const cellsOf = (loan: LoanText) =>
  LOAN_COLUMNS.map((column) => {
    let at: unknown = loan;
    for (const part of column.split('.')) at = (at as Record<string, unknown>)[part];
    return String(at);
  });

async function writeFiles(dir: string, rows: LoanText[]) {
  const csvPath = path.join(dir, 'loans.csv');
  const lines: string[] = [stringify([LOAN_COLUMNS as unknown as string[]])];
  for (let i = 0; i < rows.length; i += 5000) lines.push(stringify(rows.slice(i, i + 5000).map(cellsOf)));
  writeFileSync(csvPath, lines.join(''));
  const xlsxPath = path.join(dir, 'loans.xlsx');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: xlsxPath, useSharedStrings: false, useStyles: false });
  const sheet = book.addWorksheet('loans');
  sheet.addRow([...LOAN_COLUMNS]).commit();
  for (const row of rows) sheet.addRow(cellsOf(row)).commit();
  sheet.commit();
  await book.commit();
  return { csvPath, xlsxPath };
}

async function createBank(url: string, code: string) {
  const res = await fetch(`${url}/api/v1/institutions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_OPERATOR_KEY}` },
    body: JSON.stringify({ code, nameZh: '基准银行', nameEn: 'Bench Bank', kind: 'bank', eligibleFrom: '2021-11-08' }),
  });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** Sends the file, then polls the job until it is finished; returns the finished job. */
async function uploadThroughApi(url: string, apiKey: string, file: string) {
  const form = new FormData();
  form.set('kind', 'loans');
  form.set('file', new Blob([readFileSync(file)]), path.basename(file));
  const sent = await fetch(`${url}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: form });
  const job = (await sent.json()) as { id: string };
  if (sent.status !== 202) throw new Error(`upload: ${sent.status} ${JSON.stringify(job).slice(0, 500)}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${url}/api/v1/uploads/${job.id}`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await res.json()) as { status: string; counts: { created: number }; errors: unknown[]; failure: string | null };
    if (body.status === 'completed' || body.status === 'refused' || body.status === 'failed') {
      if (body.status !== 'completed' || body.counts.created !== LOANS)
        throw new Error(`upload ${body.status}: ${JSON.stringify(body).slice(0, 800)}`);
      return body;
    }
  }
}

const bench: Benchmark = async ({ pg: server, log }) => {
  const rows = benchLoans(LOANS);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-upload-'));
  const { csvPath, xlsxPath } = await writeFiles(dir, rows);
  const mb = (p: string) => fmt(readFileSync(p).length / 1024 / 1024, 1);
  log(`${fmt(LOANS)} loans: CSV ${mb(csvPath)} MB, XLSX ${mb(xlsxPath)} MB`);

  const rawBefore = await copyBaseline(await freshDatabase(server, 'upload_raw'), rows);
  log(`raw COPY            ${fmt(LOANS / rawBefore)} loans/s (${fmt(rawBefore, 2)} s)`);

  const results: Record<string, { seconds: number; peakMb: number }> = {};
  for (const [name, file] of [
    ['CSV', csvPath],
    ['XLSX', xlsxPath],
  ] as const) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cerf-bench-'));
    const databaseUrl = await freshDatabase(server, 'upload_api');
    const service = await startServiceProcess({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
    const apiKey = await createBank(service.url, 'BENCH');
    const stats = new pg.Client({ connectionString: databaseUrl });
    await stats.connect();
    await resetStatementStats(stats);
    const rss = await sampleRss(service.pid);
    const run = await timed(() => uploadThroughApi(service.url, apiKey, file));
    const peakMb = await rss.stop();
    await logStatementStats(stats, log, 12);
    await stats.end();
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    results[name] = { seconds: run.seconds, peakMb };
    log(
      `upload ${name.padEnd(4)}         ${fmt(LOANS / run.seconds)} loans/s (${fmt(run.seconds, 2)} s), service peak RSS ${fmt(peakMb)} MB`,
    );
  }
  const rawAfter = await copyBaseline(await freshDatabase(server, 'upload_raw'), rows);
  log(`raw COPY again      ${fmt(LOANS / rawAfter)} loans/s (${fmt(rawAfter, 2)} s)`);
  const raw = Math.min(rawBefore, rawAfter);
  for (const [name, target] of [
    ['CSV', 0.5],
    ['XLSX', 0.35],
  ] as const) {
    const ratio = raw / results[name].seconds;
    const rssMet = results[name].peakMb < 512;
    log(
      `ratio ${name.padEnd(4)}/raw      ${fmt(ratio, 2)}  (target ≥ ${target}: ${ratio >= target ? 'met' : 'NOT met'}); RSS < 512 MB: ${rssMet ? 'met' : 'NOT met'}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
};

export default bench;
