import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

// Commands run in process say the version the built CLI says.
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start their own Docker Hub stand-in; two cores.
    fileParallelism: true,
    maxWorkers: 2,
    minWorkers: 1,
    // The longest files first (test/support/slow-first-sequencer.ts): a clean clone has no cached durations.
    sequence: { sequencer: SlowFirstSequencer },
    reporters: ['default', './test/support/summary-reporter.ts'],
    // One moto for every file that does not need its own (test/support/global-moto.ts); under CI=true,
    // the Debian packages the tests need, and the single executables' build started early.
    globalSetup: ['./test/support/global-moto.ts', './test/support/ci-tools.ts'],
  },
  define: { __VERSION__: JSON.stringify(version) },
});
