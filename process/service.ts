/**
 * Starts the whole service: configuration → the port (answering 503 "starting" meanwhile, see
 * listen.ts) → database (PGlite or PostgreSQL) with migrations, and beside it the own redis-server (or
 * REDIS_URL) → bootstrap operator → jobs → the app on the port. `stop()` undoes it within
 * STOP_WITHIN_MS whatever Redis and PostgreSQL do: first the HTTP server (requests in flight may finish),
 * the jobs and the timers side by side, then the database and the own redis-server side by side, each
 * phase cut at its share of the one deadline.
 */
import { refreshFigures } from '../app/statistics/facility-statistics.js';
import { Redis } from 'ioredis';
import path from 'node:path';
import { POLICY_DATA_REFRESH_MS, refreshPolicyData } from '../app/policy/policy-data.js';
import { openDatabase, type Database } from '../db/client.js';
import { bootstrapOperator } from '../db/repositories/institutions.js';
import { startJobRuntime, type JobRuntime } from '../jobs/runtime.js';
import type { Env } from '../schemas/env.js';
import { createApp, publishedPagesOf, serverHandler } from './app.js';
import { listenEarly, listenFailure, type EarlyServer } from './listen.js';
import type { AppDeps } from './context.js';
import { startRedisServer, type EmbeddedRedis } from './embedded/redis-server.js';
import { PUBLISHED_KEEP_AHEAD_MS, type PublishedPages } from '../web/pages/published-fast-path.js';
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

/** the steps of a stop: `first` (what uses the database and Redis) side by side, then `last` side by side; each gets its phase's deadline */
type Cleanups = { first: ((deadline: number) => Promise<void>)[]; last: (() => Promise<void>)[] };

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
  const closeServer = (deadline: number) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // requests in flight may finish until shortly before the phase's deadline
      setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now() - 500)).unref();
    });
  // the own redis-server (when REDIS_URL is unset) starts beside the database: neither waits on the other
  const ownRedis = env.REDIS_URL ? null : startOwnRedis(dataDir, logger);
  ownRedis?.catch(() => {}); // a failure is reported where it is awaited, below
  const stopOwnRedis = async () => (await ownRedis?.catch(() => null))?.stop();
  const cleanups: Cleanups = { first: [closeServer], last: [stopOwnRedis] };
  const stopAll = () => stopWithin(cleanups, logger);
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir, sessionLimits: sessionLimitsOf(env) });
  } catch (err) {
    await stopAll();
    throw err;
  }
  cleanups.last.push(() => database.close());
  try {
    const { generatedKey } = await bootstrapOperator(database.db, env.CERF_BOOTSTRAP_OPERATOR_KEY);
    // the policy data in force: built-in constants merged with the changes operators confirmed
    await refreshPolicyData(database.db);
    const policyTimer = setInterval(() => {
      refreshPolicyData(database.db).catch((err) => logger.warn({ err }, 'policy data refresh failed; the data in force stays'));
    }, options.policyRefreshMs ?? POLICY_DATA_REFRESH_MS);
    policyTimer.unref();
    cleanups.first.push(async () => clearInterval(policyTimer));
    const embeddedRedis = ownRedis ? await ownRedis : null;
    const redisUrl = embeddedRedis ? embeddedRedis.url : env.REDIS_URL!;
    if (embeddedRedis?.endedLeftOver)
      logger.warn({ pid: embeddedRedis.endedLeftOver }, 'ended a redis-server a killed process had left running on the data folder');
    if (embeddedRedis) logger.info({ redisUrl }, 'started own redis-server');
    const jobs: JobRuntime = await startJobRuntime({
      database,
      redisUrl,
      logger,
      workers: env.CERF_WORKERS,
      now,
      prefix: env.CERF_QUEUE_PREFIX,
    });
    cleanups.first.push((deadline) => jobs.stop(deadline));
    // the API's rate limits, shared by every process; offline commands fail at once (counted in memory meanwhile)
    const rateLimitRedis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    rateLimitRedis.on('error', (err) => logger.debug({ err: err.message }, 'rate-limit redis connection error'));
    cleanups.first.push(async () => rateLimitRedis.disconnect());
    const deps: AppDeps = {
      database,
      env,
      logger,
      now,
      services: { redisPing: jobs.redisPing, jobs, rateLimitRedis, redisServer: embeddedRedis ? embeddedRedis.state : undefined },
    };
    const app = createApp(deps);
    listening.ready(serverHandler(app));
    cleanups.first.push(keepPublishedAhead(publishedPagesOf(app), logger));
    // the facility's figures summarise what changed while the service was down (or every application of a
    // new deployment) now, not in the first reader's request
    void refreshFigures(database.db).catch((err) => logger.warn({ err: (err as Error).message }, 'statistics refresh at start failed'));
    const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
    return { url: `http://${host}:${port}`, port, database, redisUrl, deps, generatedOperatorKey: generatedKey, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Runs the published pages' `keepAhead` pass now and PUBLISHED_KEEP_AHEAD_MS after each pass ends (a
 * failed pass is logged and the next one runs); returns the stop, which waits for a pass in flight.
 */
function keepPublishedAhead(pages: PublishedPages, logger: AppDeps['logger']): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const run = () => {
    pass = pages
      .keepAhead()
      .then(
        (r) => void (r.rendered && logger.debug(r, 'published pages kept ahead')),
        (err) => logger.warn({ err: (err as Error).message }, 'keeping the published pages ahead failed; the next pass tries again'),
      )
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(run, PUBLISHED_KEEP_AHEAD_MS);
        timer.unref();
      });
  };
  run();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await pass;
  };
}

/** how long a whole stop may take (the process itself exits at STOP_DEADLINE_MS of platform/signals.ts, 10 s at most) */
const STOP_WITHIN_MS = 8_500;
/** the share of it kept for closing the database and the own redis-server */
const LAST_PHASE_MS = 3_000;

/**
 * Every step is bounded by its phase's share of one deadline, so one that waits on a dependency that is
 * gone (a pool whose client waits on Redis, a connection that never closes) cannot hold the stop.
 */
async function stopWithin(cleanups: Cleanups, logger: AppDeps['logger']): Promise<void> {
  const deadline = Date.now() + STOP_WITHIN_MS;
  const firstDeadline = deadline - LAST_PHASE_MS;
  const phase = async (steps: (() => Promise<void>)[], until: number, what: string) => {
    let timer: NodeJS.Timeout | undefined;
    const cut = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => {
          logger.warn({ phase: what }, 'a shutdown phase did not finish by its deadline; going on');
          resolve();
        },
        Math.max(0, until - Date.now()),
      );
    });
    const all = Promise.all(steps.map((step) => step().catch((err) => logger.error({ err }, 'shutdown step failed'))));
    await Promise.race([all, cut]);
    clearTimeout(timer);
  };
  await phase(
    cleanups.first.map((step) => () => step(firstDeadline)),
    firstDeadline,
    'HTTP, jobs and timers',
  );
  await phase(cleanups.last, deadline, 'database and redis-server');
}

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
