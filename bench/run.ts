/**
 * `npm run bench`: each benchmark runs against a real PostgreSQL server started here (Debian's
 * package) and prints our figure, a raw baseline measured in the same run, and their ratio.
 * `npm run bench -- <name>` runs only the named ones; `--record` writes the run's figures, date and
 * machine into the results section of docs/benchmarks.md (bench/record.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgresServer } from '../devtools/postgres-server.js';
import { machineLine, recordResults, type RecordedRun } from './record.js';
import type { Benchmark } from './support.js';

const RESULTS_DOC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'benchmarks.md');

const benchmarks: Record<string, () => Promise<{ default: Benchmark }>> = {
  'loan-ingest': () => import('./loan-ingest.js'),
  accrual: () => import('./accrual.js'),
  compile: () => import('./compile.js'),
  'disclosure-page': () => import('./disclosure-page.js'),
  'history-import': () => import('./history-import.js'),
  'import-single': () => import('./import-single.js'),
  upload: () => import('./upload.js'),
  facility: () => import('./facility.js'),
  corrections: () => import('./corrections.js'),
  start: () => import('./start.js'),
  statistics: () => import('./statistics.js'),
  responsive: () => import('./responsive.js'),
  // name: () => import('./<file>.js'),
};

/** benchmarks a run of all of them leaves out (run them by name) */
const ONLY_BY_NAME = new Set(['facility']);

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const record = process.argv.includes('--record');
  // the facility's whole life runs for hours at its default size: only when named
  const names = wanted.length ? wanted : Object.keys(benchmarks).filter((n) => !ONLY_BY_NAME.has(n));
  const unknown = names.filter((n) => !benchmarks[n]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  // durable settings: the raw baseline and the service pay the same fsync costs
  // BENCH_PG_STATS=1: pg_stat_statements on, and a benchmark may print where the server's time went
  // BENCH_PG_SETTINGS='a=1;b=2': more server settings (e.g. auto_explain's, with BENCH_PG_LOG=1 to read its plans)
  const stats = process.env.BENCH_PG_STATS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [];
  const extra = (process.env.BENCH_PG_SETTINGS ?? '').split(';').filter(Boolean);
  const pg = await startPostgresServer({ fast: false, settings: [...stats, ...extra] });
  if (process.env.BENCH_PG_LOG) pg.child.stderr?.on('data', (d) => process.stderr.write(String(d)));
  const at = new Date();
  const machine = machineLine();
  const runs: RecordedRun[] = [];
  try {
    for (const name of names) {
      console.log(`\n== ${name}`);
      const bench = (await benchmarks[name]()).default;
      const lines: string[] = [];
      const started = process.hrtime.bigint();
      await bench({
        pg,
        log: (line) => {
          lines.push(line);
          console.log(`  ${line}`);
        },
      });
      runs.push({ name, lines, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    }
  } finally {
    await pg.stop();
  }
  if (record) {
    writeFileSync(RESULTS_DOC, recordResults(readFileSync(RESULTS_DOC, 'utf8'), runs, { at, machine, order: Object.keys(benchmarks) }));
    console.log(`\nrecorded in ${path.relative(process.cwd(), RESULTS_DOC)}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
