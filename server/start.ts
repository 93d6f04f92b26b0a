/** `npm start`: runs the service until SIGTERM/SIGINT, then shuts down gracefully. `--demo` loads demo data. */
import { envOrExit } from '../schemas/env.js';
import { startService } from './service.js';
import { stopOnSignals } from '../platform/signals.js';

async function main() {
  const env = envOrExit();
  const demo = process.argv.includes('--demo');
  const service = await startService(env);
  const log = service.deps.logger;
  let demoInfo: { lines: string[] } | null = null;
  if (demo) {
    const { loadDemoData } = await import('./demo-data.js');
    demoInfo = await loadDemoData(service);
  }
  const lines = [
    '',
    `cerf-ledger is running (${service.database.driver}${env.DATABASE_URL ? '' : ` in ${env.DATA_DIR}`})`,
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
  process.stdout.write(lines.join('\n') + '\n');

  stopOnSignals(async (signal) => {
    log.info({ signal }, 'shutting down');
    await service.stop();
    log.info('stopped');
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
