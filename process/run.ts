/**
 * Runs the service until SIGTERM/SIGINT, prints where it listens, then shuts down gracefully. The entry
 * points are process/start.ts (`npm start`) and scripts/demo.ts, which passes the loader of its demo data.
 */
import { envOrExit } from '../schemas/env.js';
import { listenEarly, listenFailure, StartupError } from './listen.js';
import type { RunningService } from './service.js';
import { stopOnSignals } from '../platform/signals.js';

export async function runService(loadDemoData?: (service: RunningService) => Promise<{ lines: string[] }>) {
  const env = envOrExit();
  const demo = loadDemoData !== undefined;
  // the port before the rest of the service is even loaded: a port in use is reported at once
  const listening = await listenEarly(env.PORT, env.HOST, (err) => listenFailure(err, env));
  const { startService } = await import('./service.js');
  const service = await startService(env, { listening });
  const log = service.deps.logger;
  const demoInfo = loadDemoData ? await loadDemoData(service) : null;
  const lines = [
    '',
    `cerf-ledger is running (${service.database.driver}${env.DATABASE_URL ? '' : ` in ${env.DATA_DIR}`})`,
    `  URL          ${service.url}   (port ${service.port})`,
    `  API          ${service.url}/api/v1`,
    `  health       ${service.url}/healthz   ${service.url}/readyz`,
    `  policy       ${service.url}/api/v1/policy`,
    `  public pages ${service.url}/   (中文; ?lang=en for English)`,
    `  verifiers    ${service.url}/verify   operators ${service.url}/operator   (sign in at ${service.url}/signin)`,
    `  API docs     ${service.url}/docs   ${service.url}/openapi.json`,
  ];
  if (service.generatedOperatorKey) lines.push(`  operator key ${service.generatedOperatorKey}   (shown once; stored only as a hash)`);
  else if (demo && env.CERF_BOOTSTRAP_OPERATOR_KEY) lines.push(`  operator key ${env.CERF_BOOTSTRAP_OPERATOR_KEY}   (demo bootstrap key)`);
  if (demoInfo) lines.push(...demoInfo.lines);
  lines.push('Press Ctrl+C to stop.', '');
  // the signals are taken before the service says it runs: a SIGTERM sent on reading that line (the
  // writing may hand the CPU to the reader at once) must find them, not the default, which kills
  stopOnSignals(async (signal) => {
    log.info({ signal }, 'shutting down');
    await service.stop();
    log.info('stopped');
  });
  process.stdout.write(lines.join('\n') + '\n');
}

export function exitOnFailure(err: unknown): never {
  if (err instanceof StartupError) console.error(`cerf-ledger did not start: ${err.message}`);
  else console.error(err);
  process.exit(1);
}
