/**
 * Compiles the service's TypeScript to plain JavaScript in dist/ (esbuild, file by file, no bundling:
 * the same modules, paths and imports as the sources), with the files the code reads beside itself
 * (web/public, db/migrations). `npm start`, `npm run demo`, `npm run worker` and scripts/demo.sh run
 * it first (about half a second), then run dist/, so a running service carries no TypeScript loader:
 * tsx's loader keeps a thread of its own with a heap of about 90 MB for the life of the process.
 * Plain JavaScript so that it runs before anything is compiled.
 */
import { build } from 'esbuild';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** the folders the service runs from (tests, benches and their fixtures are not part of it) */
const SOURCE_DIRS = ['domain', 'platform', 'app', 'schemas', 'api', 'web', 'process', 'db', 'jobs', 'scripts'];
/** what the code reads from files next to its own module */
const ASSETS = ['web/public', 'db/migrations'];

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) sources(file, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(file);
  }
  return out;
}

export async function buildService() {
  const dist = path.join(ROOT, 'dist');
  // built aside and swapped in whole, so a process starting meanwhile never sees half a build
  const staging = path.join(ROOT, `dist.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  await build({
    entryPoints: SOURCE_DIRS.flatMap((d) => sources(path.join(ROOT, d))),
    outdir: staging,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const asset of ASSETS) cpSync(path.join(ROOT, asset), path.join(staging, asset), { recursive: true });
  const old = path.join(ROOT, `dist.old-${process.pid}`);
  if (existsSync(dist)) renameSync(dist, old);
  try {
    renameSync(staging, dist);
  } catch {
    // another build swapped its own in at the same moment: it is built from the same sources
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildService();
