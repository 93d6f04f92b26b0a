/**
 * The embedded database's starting image. A new PGlite data folder costs an `initdb` (15 s on a busy
 * 2-core machine, most of a first start) and every migration; the same bytes come out each time. So the
 * first new folder, once migrated, is dumped (`dumpDataDir`, a gzipped tarball of about 5 MB) into the
 * user's cache, named by the PGlite version and the migrations' content, and every later new folder
 * starts from that image (`loadDataDir`, a few seconds) and then runs the migrations as always (none
 * left to apply). A new migration or PGlite version names another image, made by the next new folder.
 *
 * Where: `$CERF_PGLITE_IMAGE_DIR`, else `$XDG_CACHE_HOME/cerf-ledger`, else `~/.cache/cerf-ledger`. An
 * image that cannot be read or written is not an error: the folder is then made the long way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

function imageDir(): string {
  if (process.env.CERF_PGLITE_IMAGE_DIR) return process.env.CERF_PGLITE_IMAGE_DIR;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'cerf-ledger');
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return (JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** The image's file: named by the PGlite version and every migration file's name and bytes. */
export function imagePath(migrationsFolder: string): string {
  const hash = createHash('sha256').update(pgliteVersion());
  for (const name of readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(migrationsFolder, name);
    if (!name.endsWith('.sql') && !name.endsWith('.json')) continue;
    hash.update(name).update(readFileSync(file));
  }
  return path.join(imageDir(), `pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

/** The image for these migrations, if one was made. */
export function readImage(migrationsFolder: string): Blob | undefined {
  try {
    const file = imagePath(migrationsFolder);
    return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the image of a newly made and migrated database (written aside and renamed: readers never see half). */
export async function keepImage(client: PGlite, migrationsFolder: string): Promise<void> {
  try {
    const file = imagePath(migrationsFolder);
    if (existsSync(file)) return;
    const dump = await client.dumpDataDir('gzip');
    mkdirSync(path.dirname(file), { recursive: true });
    const aside = `${file}.${process.pid}.part`;
    writeFileSync(aside, Buffer.from(await dump.arrayBuffer()));
    renameSync(aside, file);
  } catch {
    // a cache that cannot be written: the next new folder is made the long way too
  }
}
