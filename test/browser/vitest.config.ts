import { defineConfig } from 'vitest/config';
import { PROCESS_WAIT_MS } from '../support/timeouts.js';

/** Browser tests: the real service on the test PostgreSQL/Redis, driven by Debian's chromium. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: PROCESS_WAIT_MS,
    hookTimeout: PROCESS_WAIT_MS,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    reporters: ['default'],
  },
});
