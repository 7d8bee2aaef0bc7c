// @ts-check
// Mutation testing of the safety-critical cores: the approval gate, the mass-deletion guard,
// health, the loader's reference rules and the EDR-action rules. Slow (tens of minutes on two cores), so not part of
// `npm test`: run `npm run mutate` before a change to these files lands, and keep the score in
// BENCHMARKS.md ("Mutation score").
//
// Incremental: a run re-tests only the mutants whose code or covering tests changed since the
// last run (reports/stryker-incremental.json, git-ignored). Stryker cannot tell which tests
// cover a mutant in module-level code (a static mutant, e.g. in redact.ts's patterns), so it
// reuses such a mutant's last result while that file is unchanged, even when the tests changed:
// the figure in BENCHMARKS.md is measured with `npm run mutate -- --force`, which re-tests all.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // The unit tests only, without those that spawn the CLI (see vitest.mutate.config.ts).
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    'src/gate/**/*.ts',
    'src/apply/guard.ts',
    'src/health/**/*.ts',
    'src/model/references.ts',
    'src/model/edr-actions.ts',
    // Re-exports and type declarations only: nothing in them can be mutated.
    '!src/gate/index.ts',
    '!src/gate/approval-facts.ts',
    '!src/health/index.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine is shared: never more than two test runners.
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // Not needed by the unit tests, and large (the test bed's binaries).
  ignorePatterns: ['/.testbed', '/.bench', '/dist', '/out'],
  // Below 90 % the run fails: a change to these files should come with the tests that guard it.
  thresholds: { high: 95, low: 90, break: 90 },
};
