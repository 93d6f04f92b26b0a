/**
 * A new embedded data folder starts from the image of a migrated database once the first one was made:
 * the same schema and migrations as the long way, and another image when the migrations change.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, openDatabase } from '../../db/client.js';
import { imagePath } from '../../db/pglite-image.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'cerf-image-'));
const saved = process.env.CERF_PGLITE_IMAGE_DIR;
process.env.CERF_PGLITE_IMAGE_DIR = path.join(root, 'cache');
afterAll(() => {
  if (saved === undefined) delete process.env.CERF_PGLITE_IMAGE_DIR;
  else process.env.CERF_PGLITE_IMAGE_DIR = saved;
  rmSync(root, { recursive: true, force: true });
});

const applied = async (dataDir: string) => {
  const database = await openDatabase({ dataDir });
  try {
    const count = async (query: ReturnType<typeof sql>) =>
      ((await database.db.execute(query)) as unknown as { rows: { n: number }[] }).rows[0].n;
    return {
      migrations: await count(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      tables: await count(sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`),
      institutions: await count(sql`select count(*)::int as n from institutions`),
    };
  } finally {
    await database.close();
  }
};

describe('the embedded database image', () => {
  it('when the first new folder is made, then its image is kept, and the next new folder starts from it with the same schema', async () => {
    const image = imagePath(MIGRATIONS_FOLDER);
    expect(existsSync(image)).toBe(false);
    const first = await applied(path.join(root, 'one'));
    expect(existsSync(image)).toBe(true);
    const madeAt = statSync(image).mtimeMs;
    const journal = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length;
    expect(first.migrations).toBe(journal);
    const second = await applied(path.join(root, 'two'));
    expect(second).toEqual(first);
    expect(statSync(image).mtimeMs).toBe(madeAt);
  });

  it('when a migration changes, then another image is named', () => {
    const copy = path.join(root, 'migrations');
    cpSync(MIGRATIONS_FOLDER, copy, { recursive: true });
    expect(imagePath(copy)).toBe(imagePath(MIGRATIONS_FOLDER));
    writeFileSync(path.join(copy, '9999_more.sql'), 'create table more (id int);');
    expect(imagePath(copy)).not.toBe(imagePath(MIGRATIONS_FOLDER));
  });
});
