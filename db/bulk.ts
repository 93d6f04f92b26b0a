/**
 * Bulk inserts inside a Drizzle transaction: COPY FROM STDIN on a PostgreSQL server (the fastest
 * path node-postgres offers), one `insert … select from unnest(…)` statement on PGlite. Callers
 * have checked every row already; constraints still guard the tables.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Tx } from './client.js';

export type BulkColumn = { name: string; type: 'uuid' | 'text' | 'int8' | 'int4' | 'date' | 'bool' | 'jsonb' };
type Cell = string | bigint | number | boolean | null;

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** The node-postgres client under a Drizzle transaction, or null on PGlite. */
function pgClientOf(tx: Tx): pg.PoolClient | null {
  const client = (tx as unknown as { session?: { client?: unknown } }).session?.client;
  return client instanceof pg.Client ? (client as pg.PoolClient) : null;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyText(value: Cell): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return typeof value === 'boolean' ? (value ? 't' : 'f') : String(value);
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (ch) => COPY_ESCAPES[ch]) : value;
}

export async function bulkInsert(tx: Tx, table: string, columns: BulkColumn[], rows: Cell[][]): Promise<void> {
  if (rows.length === 0) return;
  if (!IDENT.test(table) || !columns.every((c) => IDENT.test(c.name))) throw new Error(`bulkInsert: bad identifier in ${table}`);
  const names = columns.map((c) => c.name).join(', ');
  const client = pgClientOf(tx);
  if (client) {
    const stream = client.query(copyFrom(`copy ${table} (${names}) from stdin`));
    // the whole text at once, while the server starts the COPY: built as the stream asked for it, a
    // slice at a time, the server waited for whatever else ran on this thread between two slices
    const pieces: string[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      let piece = '';
      for (let j = i; j < Math.min(rows.length, i + 500); j++) piece += rows[j].map(copyText).join('\t') + '\n';
      pieces.push(piece);
    }
    await pipeline(Readable.from(pieces), stream);
    return;
  }
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const arrays = columns.map(
      (c, j) =>
        sql`${sql.param(chunk.map((r) => (r[j] === null ? null : typeof r[j] === 'bigint' ? r[j]!.toString() : r[j])))}::${sql.raw(c.type)}[]`,
    );
    await tx.execute(sql`insert into ${sql.raw(table)} (${sql.raw(names)}) select * from unnest(${sql.join(arrays, sql`, `)})`);
  }
}
