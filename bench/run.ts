/**
 * `npm run bench`: each benchmark runs against a real PostgreSQL server started here (Debian's
 * package) and prints our figure, a raw baseline measured in the same run, and their ratio.
 * `npm run bench -- <name>` runs only the named ones.
 */
import { startPostgresServer } from '../devtools/postgres-server.js';
import type { Benchmark } from './support.js';

const benchmarks: Record<string, () => Promise<{ default: Benchmark }>> = {
  'loan-ingest': () => import('./loan-ingest.js'),
  accrual: () => import('./accrual.js'),
  compile: () => import('./compile.js'),
  'disclosure-page': () => import('./disclosure-page.js'),
  'history-import': () => import('./history-import.js'),
  upload: () => import('./upload.js'),
  // name: () => import('./<file>.js'),
};

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(benchmarks);
  const unknown = names.filter((n) => !benchmarks[n]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  // durable settings: the raw baseline and the service pay the same fsync costs
  // BENCH_PG_STATS=1: pg_stat_statements on, and a benchmark may print where the server's time went
  // BENCH_PG_SETTINGS='a=1;b=2': more server settings (e.g. auto_explain's, with BENCH_PG_LOG=1 to read its plans)
  const stats = process.env.BENCH_PG_STATS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [];
  const extra = (process.env.BENCH_PG_SETTINGS ?? '').split(';').filter(Boolean);
  const pg = await startPostgresServer({ fast: false, settings: [...stats, ...extra] });
  if (process.env.BENCH_PG_LOG) pg.child.stderr?.on('data', (d) => process.stderr.write(String(d)));
  try {
    for (const name of names) {
      console.log(`\n== ${name}`);
      const bench = (await benchmarks[name]()).default;
      await bench({ pg, log: (line) => console.log(`  ${line}`) });
    }
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
