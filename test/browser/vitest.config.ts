import { defineConfig } from 'vitest/config';

/** Browser tests: the real service on the test PostgreSQL/Redis, driven by Debian's chromium. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    reporters: ['default'],
  },
});
