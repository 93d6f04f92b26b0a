/**
 * Starts the whole service: configuration → database (PGlite or PostgreSQL) with migrations →
 * bootstrap operator → Redis (own child or REDIS_URL) → jobs → HTTP. `stop()` undoes it in reverse,
 * letting in-flight requests finish.
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { POLICY_DATA_REFRESH_MS, refreshPolicyData } from '../app/policy/policy-data.js';
import { openDatabase, type Database } from '../db/client.js';
import { bootstrapOperator } from '../db/repositories/institutions.js';
import { startJobRuntime, type JobRuntime } from '../jobs/runtime.js';
import type { Env } from '../schemas/env.js';
import { createApp, serverHandler } from './app.js';
import type { AppDeps } from './context.js';
import { startRedisServer, type EmbeddedRedis } from './embedded/redis-server.js';
import { createLogger } from '../platform/logger.js';
import { useSigningKeyFile } from '../platform/signing.js';
import { ConfigError } from '../schemas/env.js';

export type RunningService = {
  url: string;
  port: number;
  database: Database;
  redisUrl: string;
  deps: AppDeps;
  generatedOperatorKey: string | null;
  stop(): Promise<void>;
};

/** `policyRefreshMs`: how often the policy data operators confirmed in other processes is re-read. */
export async function startService(env: Env, options: { now?: () => Date; policyRefreshMs?: number } = {}): Promise<RunningService> {
  const logger = createLogger(env.LOG_LEVEL);
  const dataDir = path.resolve(env.DATA_DIR);
  const now = options.now ?? (() => new Date());
  try {
    useSigningKeyFile(env.CERF_SIGNING_KEY_FILE);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir });
  const cleanups: (() => Promise<void>)[] = [() => database.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    const { generatedKey } = await bootstrapOperator(database.db, env.CERF_BOOTSTRAP_OPERATOR_KEY);
    // the policy data in force: built-in constants merged with the changes operators confirmed
    await refreshPolicyData(database.db);
    const policyTimer = setInterval(() => {
      refreshPolicyData(database.db).catch((err) => logger.warn({ err }, 'policy data refresh failed; the data in force stays'));
    }, options.policyRefreshMs ?? POLICY_DATA_REFRESH_MS);
    policyTimer.unref();
    cleanups.push(async () => clearInterval(policyTimer));
    let redisUrl = env.REDIS_URL;
    let embeddedRedis: EmbeddedRedis | null = null;
    if (!redisUrl) {
      embeddedRedis = await startRedisServer({ dataDir });
      redisUrl = embeddedRedis.url;
      cleanups.push(() => embeddedRedis!.stop());
      logger.info({ redisUrl }, 'started own redis-server');
    }
    const jobs: JobRuntime = await startJobRuntime({ database, redisUrl, logger, workers: env.CERF_WORKERS, now });
    cleanups.push(() => jobs.stop());
    const deps: AppDeps = { database, env, logger, now, services: { redisPing: jobs.redisPing, jobs } };
    const app = createApp(deps);
    const server: Server = await new Promise((resolve, reject) => {
      const s = createServer(serverHandler(app)).listen(env.PORT, env.HOST, () => resolve(s));
      s.on('error', reject);
    });
    server.keepAliveTimeout = 5_000;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 10_000).unref();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
    return { url: `http://${host}:${port}`, port, database, redisUrl, deps, generatedOperatorKey: generatedKey, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
