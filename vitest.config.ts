import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      // Unit tests that spawn the CLI start a Node process each: on a busy 2-core machine
      // that alone can take seconds, so the per-test guard is generous. No test asserts time.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/setup/global.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          // One retry of a failed test on the shared 2-core machine, where KWOK and the control
          // plane can fall seconds behind; a test that fails twice fails the run.
          retry: 1,
        },
      },
    ],
  },
});
