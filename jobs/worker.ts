/**
 * `npm run worker`: a separate process that runs the job workers (plus its own relay and reconciler),
 * for scaling out. Needs DATABASE_URL (a PostgreSQL server shared with the service; an embedded PGlite
 * folder cannot be shared between processes) and REDIS_URL. Closes gracefully on SIGTERM/SIGINT.
 */
import os from 'node:os';
import { POLICY_DATA_REFRESH_MS, refreshPolicyData } from '../app/policy/policy-data.js';
import { openDatabase } from '../db/client.js';
import { envOrExit, sessionLimitsOf } from '../schemas/env.js';
import { createLogger } from '../platform/logger.js';
import { stopOnSignals } from '../platform/signals.js';
import { allowWebhookNetworks } from '../platform/webhook-transport.js';
import { useSigningKeyFile } from '../platform/signing.js';
import { startJobRuntime } from './runtime.js';

/** how long the worker's jobs may take to stop, then its database pool */
const WORKER_STOP_MS = 6_500;
const DATABASE_CLOSE_MS = 2_000;

async function main() {
  const env = envOrExit();
  if (!env.DATABASE_URL || !env.REDIS_URL) {
    console.error('npm run worker needs DATABASE_URL and REDIS_URL (the same ones the service uses)');
    process.exit(2);
  }
  const logger = createLogger(env.LOG_LEVEL);
  allowWebhookNetworks(env.WEBHOOK_ALLOWED_NETWORKS);
  try {
    useSigningKeyFile(env.CERF_SIGNING_KEY_FILE);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: os.tmpdir(), sessionLimits: sessionLimitsOf(env) });
  // the policy data in force (confirmed operators' changes included), re-read on an interval
  await refreshPolicyData(database.db);
  const policyTimer = setInterval(() => {
    refreshPolicyData(database.db).catch((err) => logger.warn({ err }, 'policy data refresh failed; the data in force stays'));
  }, POLICY_DATA_REFRESH_MS);
  policyTimer.unref();
  const runtime = await startJobRuntime({
    database,
    redisUrl: env.REDIS_URL,
    logger,
    workers: 'inline',
    now: () => new Date(),
    prefix: env.CERF_QUEUE_PREFIX,
    workerName: `${os.hostname()}:${process.pid}`,
  });
  // the signals are taken before the worker says it started (a SIGTERM sent on reading it must find them)
  stopOnSignals(async (signal) => {
    logger.info({ signal }, 'worker stopping: finishing active jobs');
    clearInterval(policyTimer);
    // side by side steps under one deadline (the process exits at STOP_DEADLINE_MS regardless)
    await runtime.stop(Date.now() + WORKER_STOP_MS);
    await Promise.race([database.close(), new Promise((resolve) => setTimeout(resolve, DATABASE_CLOSE_MS).unref())]);
  });
  logger.info({ prefix: runtime.prefix }, 'worker started');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
