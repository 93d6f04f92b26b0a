import { defineConfig } from 'vitest/config';
import { PROCESS_WAIT_MS } from './test/support/timeouts.js';

/**
 * Two projects. `unit`: the pure tests (domain rules, house rules, schemas: no PostgreSQL, no Redis, no
 * build), without the global setup, so `npm run test:unit` answers in seconds. `integration`: everything
 * else (API, jobs, service), with the global setup that builds the service and starts PostgreSQL and
 * Redis. `npx vitest run` runs both; `npx vitest run test/api/x.test.ts` runs the file in its project.
 * The browser tests have their own config (test/browser/vitest.config.ts). The integration tests' and
 * hooks' time limit is the one setting of test/support/timeouts.ts (`TEST_PROCESS_TIMEOUT_MS`).
 */
const UNIT = [
  'test/domain/**/*.test.ts',
  'test/house/**/*.test.ts',
  'test/schemas/**/*.test.ts',
  'test/bench/**/*.test.ts',
  'test/api/csv-guard.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 }, threads: { maxThreads: 2, minThreads: 1 } },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // threads and one module graph shared by the files: pure code, nothing to isolate from
        test: { name: 'unit', include: UNIT, pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'node_modules/**', ...UNIT],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: PROCESS_WAIT_MS,
          hookTimeout: PROCESS_WAIT_MS,
        },
      },
    ],
  },
});
