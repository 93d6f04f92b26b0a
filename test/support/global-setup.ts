/**
 * Starts the real servers the suite talks to, once: a PostgreSQL server (Debian's package; or
 * TEST_DATABASE_URL) with a migrated template database, and a redis-server (or TEST_REDIS_URL).
 * Each test file then clones the template into a database of its own. Also builds the service to dist/
 * once, for the tests that start it as `npm start` does.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.js';
import { startPostgresServer } from '../../devtools/postgres-server.js';
import { startRedisServer } from '../../process/embedded/redis-server.js';
import { buildServiceOnce } from '../../scripts/service-command.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
  }
}

export const TEMPLATE_DB = 'cerf_template';

export default async function setup(project: TestProject) {
  // the service processes some tests start run the build, as npm start does: built once, here
  buildServiceOnce();
  const stops: (() => Promise<void>)[] = [];
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const server = await startPostgresServer();
    stops.push(server.stop);
    adminUrl = server.url('postgres');
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const template = await openDatabase({ databaseUrl: templateUrl.toString(), dataDir: os.tmpdir(), poolMax: 1 });
  await template.close();

  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cerf-redis-'));
    const redis = await startRedisServer({ dataDir: dir, persist: false });
    stops.push(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    redisUrl = redis.url;
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', TEMPLATE_DB);
  project.provide('redisUrl', redisUrl);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
