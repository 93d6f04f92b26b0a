/**
 * Per-test-file parts on the real servers: a fresh PostgreSQL database cloned from the migrated
 * template, and the real application wired to it, for supertest.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { openDatabase, type Database } from '../../db/client.js';
import { bootstrapOperator, findInstitutionByCode, insertUser, OPERATOR_CODE } from '../../db/repositories/institutions.js';
import { createApp } from '../../process/app.js';
import type { AppDeps } from '../../process/context.js';
import { parseEnv } from '../../schemas/env.js';
import { createLogger } from '../../platform/logger.js';
import { allowWebhookNetworks } from '../../platform/webhook-transport.js';

/**
 * With TEST_DRIVER=pglite the same tests run on PGlite (one connection, in a temporary folder):
 * scripts/test.sh does this for the API tests, proving the embedded path and catching a query issued
 * beside an open transaction, which waits forever on a single connection.
 */
export async function createTestDatabase(): Promise<Database & { name: string; url: string }> {
  if (process.env.TEST_DRIVER === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-pglite-test-'));
    const database = await openDatabase({ dataDir: dir });
    return {
      ...database,
      name: dir,
      url: '',
      close: async () => {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: os.tmpdir(), poolMax: 5 });
  return {
    ...database,
    name,
    url: url.toString(),
    close: async () => {
      await database.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

export type TestApp = {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  /** `url`: the PostgreSQL database's address (empty on PGlite), for a second process on it */
  database: Database & { url: string };
  operatorKey: string;
  /**
   * A second central-bank operator (four eyes: the factories confirm with it what `operatorKey`
   * proposes); null when the app was created with `operators: 1` (the bootstrap).
   */
  operator2Key: string | null;
  redis: Redis;
  /** moves the clock the app sees */
  setNow(date: Date | string): void;
  close(): Promise<void>;
};

/** The real application on a fresh database, with the operator bootstrapped and a movable clock. */
export async function createTestApp(
  options: { now?: Date | string; env?: Record<string, string>; operators?: 1 | 2 } = {},
): Promise<TestApp> {
  // the tests' webhook receivers listen on the loopback interface: allowed here, as an operator would allow a network
  allowWebhookNetworks(['127.0.0.0/8', '::1/128']);
  const database = await createTestDatabase();
  const operatorKey = `op_${randomBytes(24).toString('base64url')}`;
  await bootstrapOperator(database.db, operatorKey);
  let operator2Key: string | null = null;
  if ((options.operators ?? 2) === 2) {
    operator2Key = `op2_${randomBytes(24).toString('base64url')}`;
    const central = (await findInstitutionByCode(database.db, OPERATOR_CODE))!;
    await insertUser(database.db, {
      institutionId: central.id,
      name: 'second operator (four eyes)',
      role: 'operator',
      apiKey: operator2Key,
    });
  }
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  let now = options.now ? new Date(options.now) : new Date();
  // the API's rate limits are exercised by test/api/limits.test.ts; other files run far faster than a client would
  const env = parseEnv({
    LOG_LEVEL: 'silent',
    DATA_DIR: os.tmpdir(),
    API_RATE_LIMIT_PER_KEY: '1000000',
    API_RATE_LIMIT_PER_ADDRESS: '1000000',
    ...options.env,
  });
  const deps: AppDeps = {
    database,
    env,
    logger: createLogger('silent'),
    now: () => now,
    services: { redisPing: async () => (await redis.ping()) === 'PONG' },
  };
  return {
    app: createApp(deps),
    deps,
    database,
    operatorKey,
    operator2Key,
    redis,
    setNow: (date) => (now = new Date(date)),
    close: async () => {
      redis.disconnect();
      await database.close();
    },
  };
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
