import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start their own moto and stand-in; two cores.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Under CI=true: the Debian packages the tests need, and the single executables' build started early.
    globalSetup: ['./test/support/ci-tools.ts'],
  },
  define: { __VERSION__: JSON.stringify('0.0.0-test') },
});
