import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    // Vitest's default leaves a core to its main process: one test file at a time on a 2-core machine (CI's), 5.2 of
    // CI's 27 minutes. The files spend their time in TF.js, Python and rendering, each on one core; two at once
    // took the suite from 299 s to 148 s here. Files that write do so in their own temp or build dirs (gpu-image.test.ts
    // names its shards for that reason); data/ptb-xl is only read (setup fills it before the tests).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
