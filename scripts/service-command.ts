/**
 * How `npm start`, `npm run demo` and `npm run worker` run the service, for the tests and benches that
 * start it as its own process: the service built to dist/ (scripts/build.mjs), under the V8 flags of
 * package.json's `config.serviceNodeFlags` (the one place they are written).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export const SERVICE_NODE_FLAGS: string[] = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { config: { serviceNodeFlags: string } }
).config.serviceNodeFlags
  .split(/\s+/)
  .filter(Boolean);

/**
 * Builds dist/ once (as `npm start` does before it runs): once per process, or once for a whole test
 * run (the suite's global setup builds and sets CERF_SERVICE_BUILT, so no test file swaps dist/ while
 * another one's service is loading from it).
 */
export function buildServiceOnce(): void {
  if (process.env.CERF_SERVICE_BUILT) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  process.env.CERF_SERVICE_BUILT = '1';
}

/** The node arguments that run `entry` (a source path such as `process/start.ts`) as npm's scripts run it. */
export function serviceArgs(entry: 'process/start.ts' | 'scripts/demo.ts' | 'jobs/worker.ts', extraFlags: string[] = []): string[] {
  buildServiceOnce();
  return [...extraFlags, ...SERVICE_NODE_FLAGS, path.join('dist', entry.replace(/\.ts$/, '.js'))];
}
