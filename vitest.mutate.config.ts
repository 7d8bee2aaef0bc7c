// The unit tests as `npm run mutate` runs them: one flat project (Stryker's vitest runner
// drives a single project best), without the tests that spawn the CLI. Those run the code in
// a child process, where no mutant is ever active, so they could not kill one and would only
// make every mutant run slower.
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      'test/unit/**/cli-*.test.ts',
      'test/unit/model/validate-cli.test.ts',
      'test/unit/report/status-cli.test.ts',
    ],
    testTimeout: 30_000,
  },
});
