/**
 * The database stops with its client: the service opens its sessions with server-side limits
 * (`openDatabase`'s `sessionLimits`, from DB_STATEMENT_TIMEOUT_SECONDS, DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS
 * and DB_CLIENT_CHECK_INTERVAL_SECONDS), so the work of a killed process is rolled back by PostgreSQL
 * within seconds and its locks freed, instead of running on until someone ends it by hand.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../process/embedded/process-tools.js';
import { buildServiceOnce } from '../../scripts/service-command.js';
import { createTestDatabase } from '../support/harness.js';
import { PROCESS_TEST_MS, PROCESS_WAIT_MS } from '../support/timeouts.js';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let observer: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  observer = new pg.Client({ connectionString: database.url });
  await observer.connect();
});
afterAll(async () => {
  await observer?.end();
  await database?.close();
});

/**
 * A process that opens the database as the service does (the built `db/client.js`), prints its
 * session's settings, then, inside a transaction holding the institutions table, runs a statement
 * that would take ten minutes.
 */
function startLongTransaction(url: string) {
  buildServiceOnce();
  const script = `
    import { sql } from 'drizzle-orm';
    import { openDatabase } from './dist/db/client.js';
    const database = await openDatabase({ databaseUrl: ${JSON.stringify(url)}, dataDir: '/tmp',
      sessionLimits: { statementTimeoutSeconds: 900, idleInTransactionTimeoutSeconds: 120, clientCheckIntervalSeconds: 1 } });
    const settings = await database.db.execute(sql\`select current_setting('statement_timeout') as statement,
      current_setting('idle_in_transaction_session_timeout') as idle, current_setting('client_connection_check_interval') as "check"\`);
    console.log(JSON.stringify(settings.rows[0]));
    await database.db.transaction(async (tx) => {
      await tx.execute(sql\`lock table institutions in share row exclusive mode\`);
      await tx.execute(sql\`select pg_sleep(600)\`);
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

describe.skipIf(process.env.TEST_DRIVER === 'pglite')('database session limits', () => {
  it(
    'when a process is killed in the middle of a long statement, then PostgreSQL ends its work and frees its locks within seconds',
    async () => {
      const worker = startLongTransaction(database.url);
      try {
        await waitFor(async () => worker.output().includes('}'), 'the settings', PROCESS_WAIT_MS);
        expect(JSON.parse(worker.output())).toEqual({ statement: '15min', idle: '2min', check: '1s' });
        const running = async () =>
          (
            await observer.query(
              `select pid from pg_stat_activity where datname = current_database() and query like 'select pg_sleep(600)%' and state = 'active'`,
            )
          ).rows as { pid: number }[];
        await waitFor(async () => (await running()).length === 1, 'the long statement', PROCESS_WAIT_MS);
      } finally {
        worker.child.kill('SIGKILL');
      }
      // nothing but the dead client's socket ends the statement: the table is free again within seconds
      await observer.query(`set lock_timeout = '1s'`);
      await waitFor(
        async () => {
          await observer.query('begin');
          try {
            await observer.query('lock table institutions in exclusive mode');
            return true;
          } finally {
            await observer.query('rollback');
          }
        },
        'the dead process’s lock to be freed',
        PROCESS_WAIT_MS,
      );
    },
    PROCESS_TEST_MS,
  );
});
