import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start their own Docker Hub stand-in; two cores.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default', './test/support/summary-reporter.ts'],
    // One moto for every file that does not need its own (test/support/global-moto.ts).
    globalSetup: ['./test/support/global-moto.ts'],
  },
  define: { __VERSION__: JSON.stringify('0.0.0-test') },
});
