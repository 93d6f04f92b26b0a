/**
 * Starts the whole service: configuration → the port (answering 503 "starting" meanwhile, see
 * listen.ts) → database (PGlite or PostgreSQL) with migrations → bootstrap operator → Redis (own child
 * or REDIS_URL) → jobs → the app on the port. `stop()` closes the port first (in-flight requests
 * finish), then undoes the rest in reverse.
 */
import { Redis } from 'ioredis';
import path from 'node:path';
import { POLICY_DATA_REFRESH_MS, refreshPolicyData } from '../app/policy/policy-data.js';
import { openDatabase, type Database } from '../db/client.js';
import { bootstrapOperator } from '../db/repositories/institutions.js';
import { startJobRuntime, type JobRuntime } from '../jobs/runtime.js';
import type { Env } from '../schemas/env.js';
import { createApp, serverHandler } from './app.js';
import { listenEarly, listenFailure, type EarlyServer } from './listen.js';
import type { AppDeps } from './context.js';
import { startRedisServer, type EmbeddedRedis } from './embedded/redis-server.js';
import { createLogger } from '../platform/logger.js';
import { allowWebhookNetworks } from '../platform/webhook-transport.js';
import { useSigningKeyFile } from '../platform/signing.js';
import { ConfigError, sessionLimitsOf } from '../schemas/env.js';

export type RunningService = {
  url: string;
  port: number;
  database: Database;
  redisUrl: string;
  deps: AppDeps;
  generatedOperatorKey: string | null;
  stop(): Promise<void>;
};

/**
 * `policyRefreshMs`: how often the policy data operators confirmed in other processes is re-read;
 * `listening`: the port when the caller took it already (process/run.ts takes it before loading the rest).
 */
export async function startService(
  env: Env,
  options: { now?: () => Date; policyRefreshMs?: number; listening?: EarlyServer } = {},
): Promise<RunningService> {
  const logger = createLogger(env.LOG_LEVEL);
  const dataDir = path.resolve(env.DATA_DIR);
  const now = options.now ?? (() => new Date());
  allowWebhookNetworks(env.WEBHOOK_ALLOWED_NETWORKS);
  try {
    useSigningKeyFile(env.CERF_SIGNING_KEY_FILE);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  // the port first: one another process holds is reported before anything else is started
  const listening = options.listening ?? (await listenEarly(env.PORT, env.HOST, (err) => listenFailure(err, env)));
  const { server, port } = listening;
  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 10_000).unref();
    });
  // the own redis-server (when REDIS_URL is unset) starts beside the database: neither waits on the other
  const ownRedis = env.REDIS_URL ? null : startOwnRedis(dataDir, logger);
  ownRedis?.catch(() => {}); // a failure is reported where it is awaited, below
  const stopOwnRedis = async () => (await ownRedis?.catch(() => null))?.stop();
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir, sessionLimits: sessionLimitsOf(env) });
  } catch (err) {
    await Promise.all([closeServer(), stopOwnRedis()]);
    throw err;
  }
  const cleanups: (() => Promise<void>)[] = [() => database.close(), stopOwnRedis];
  // each step of a stop is bounded, so one that waits on a dependency that is gone (a pool whose client
  // waits on Redis, a connection that never closes) cannot hold the others past the stop's deadline
  const stopAll = async () => {
    // the port closes first (requests in flight finish), then the rest in the reverse of its start
    for (const cleanup of [closeServer, ...cleanups.reverse()]) {
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn('a shutdown step did not finish within 12 s; going on');
          resolve();
        }, STOP_CLEANUP_MS);
      });
      await Promise.race([cleanup().catch((err) => logger.error({ err }, 'shutdown step failed')), cut]);
      clearTimeout(timer);
    }
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
    const embeddedRedis = ownRedis ? await ownRedis : null;
    const redisUrl = embeddedRedis ? embeddedRedis.url : env.REDIS_URL!;
    if (embeddedRedis) logger.info({ redisUrl }, 'started own redis-server');
    const jobs: JobRuntime = await startJobRuntime({
      database,
      redisUrl,
      logger,
      workers: env.CERF_WORKERS,
      now,
      prefix: env.CERF_QUEUE_PREFIX,
    });
    cleanups.push(() => jobs.stop());
    // the API's rate limits, shared by every process; offline commands fail at once (counted in memory meanwhile)
    const rateLimitRedis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    rateLimitRedis.on('error', (err) => logger.debug({ err: err.message }, 'rate-limit redis connection error'));
    cleanups.push(async () => rateLimitRedis.disconnect());
    const deps: AppDeps = {
      database,
      env,
      logger,
      now,
      services: { redisPing: jobs.redisPing, jobs, rateLimitRedis, redisServer: embeddedRedis ? embeddedRedis.state : undefined },
    };
    const app = createApp(deps);
    listening.ready(serverHandler(app));
    const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
    return { url: `http://${host}:${port}`, port, database, redisUrl, deps, generatedOperatorKey: generatedKey, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** how long one step of a stop may take (the jobs' own steps are bounded at 10 s each) */
const STOP_CLEANUP_MS = 12_000;

/** The service's own redis-server in the data folder, supervised: when it dies it is started again (with backoff), logged, and reported by /readyz. */
function startOwnRedis(dataDir: string, logger: AppDeps['logger']): Promise<EmbeddedRedis> {
  return startRedisServer({
    dataDir,
    supervise: true,
    onEvent: (event) => {
      if (event.kind === 'restarted') logger.warn({ redisServer: event.state }, 'own redis-server restarted');
      else if (event.kind === 'exited') logger.error({ redisServer: event.state }, 'own redis-server exited; restarting it');
      else logger.error({ redisServer: event.state, err: event.error }, 'own redis-server did not start again; retrying');
    },
  });
}
