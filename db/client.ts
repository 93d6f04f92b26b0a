/**
 * One database handle for both drivers: a PostgreSQL server through `DATABASE_URL` (node-postgres
 * pool), or PGlite — real PostgreSQL compiled to WASM — in a data folder on disk. Both run the same
 * Drizzle schema and the same committed SQL migrations.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';
import { sql } from 'drizzle-orm';
import { currentAuditWho, type AuditWho } from '../platform/audit-scope.js';
import { keepImage, readImage } from './pglite-image.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: repositories accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export type Database = {
  db: Db;
  driver: 'postgres' | 'pglite';
  close(): Promise<void>;
  /** node-postgres pool (postgres driver only), for COPY and LISTEN */
  pool?: pg.Pool;
};

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// NUMERIC, INT8 and DATE come back as exact strings; Drizzle maps bigint columns to bigint itself.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** Names who acts for the rest of the transaction (read by the audit triggers; `set_config(..., true)` ends with it). */
async function nameWhoActs(tx: Tx, who: AuditWho): Promise<void> {
  await tx.execute(
    sql`select set_config('cerf.actor', ${who.userId ?? ''}, true), set_config('cerf.institution', ${who.institutionId ?? ''}, true),
        set_config('cerf.via', ${who.via ?? ''}, true), set_config('cerf.request', ${who.requestId ?? ''}, true)`,
  );
}

/**
 * Every transaction begins by naming who acts (the request's audit scope, platform/audit-scope.ts) for
 * the audit triggers; outside a request nothing is named.
 */
function audited(db: Db): Db {
  const begin = db.transaction.bind(db);
  db.transaction = ((work: (tx: never) => Promise<unknown>, config?: never) =>
    begin(async (tx) => {
      const who = currentAuditWho();
      if (who) await nameWhoActs(tx, who);
      return work(tx as never);
    }, config)) as Db['transaction'];
  return db;
}

/**
 * Limits the server enforces on the service's own sessions, so that the work of a process that died or
 * hung is ended by PostgreSQL within seconds instead of holding its locks until someone ends it by hand:
 * a statement's longest run, a transaction's longest idle pause, and how often a running statement
 * checks that its client is still there (`client_connection_check_interval`, PostgreSQL 14 and later).
 */
export type SessionLimits = {
  statementTimeoutSeconds: number;
  idleInTransactionTimeoutSeconds: number;
  clientCheckIntervalSeconds: number;
};

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  poolMax?: number;
  sessionLimits?: SessionLimits;
}): Promise<Database> {
  if (options.databaseUrl) {
    const limits = options.sessionLimits;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolMax ?? 10,
      // while the server is down or restarting, a request waits at most this long for a connection
      connectionTimeoutMillis: 5_000,
      ...(limits
        ? {
            statement_timeout: limits.statementTimeoutSeconds * 1000,
            idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutSeconds * 1000,
            options: `-c client_connection_check_interval=${limits.clientCheckIntervalSeconds * 1000}`,
          }
        : {}),
    });
    pool.on('error', () => {
      // a broken idle client is dropped by the pool; queries in flight report their own errors
    });
    // A client checked out between two queries (inside a transaction) emits 'error' when its server
    // connection ends (e.g. 57P01 on a restart): without a listener that would end the process. The
    // next query on it fails, the transaction's caller gets that error, and the pool discards it.
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    const db = audited(drizzlePg(pool, { schema }) as unknown as Db);
    await migratePg(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return { db, driver: 'postgres', pool, close: () => pool.end() };
  }
  const folder = path.join(options.dataDir, 'pglite');
  mkdirSync(folder, { recursive: true });
  // a new folder starts from the image of a migrated database when one was kept (pglite-image.ts)
  const isNew = !existsSync(path.join(folder, 'PG_VERSION'));
  const image = isNew ? readImage(MIGRATIONS_FOLDER) : undefined;
  const client = await PGlite.create(folder, image ? { loadDataDir: image } : {});
  const db = audited(drizzlePglite(client, { schema }) as unknown as Db);
  await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  if (isNew && !image) await keepImage(client, MIGRATIONS_FOLDER);
  return { db, driver: 'pglite', close: () => client.close() };
}
