// Mutation testing of the pure core (issue 19): `npm run test:mutation`. docs/testing.md has the
// command, the figures and why each choice below was made.
//
// The project's tests use node's built-in runner, which prints TAP; Stryker's tap runner runs each
// test file in its own node process (`node -r <hook> --import tsx --test-reporter=tap <file>`), so
// "per test" coverage is per test file: a mutant runs only the files whose run reached it.
//
// MUTATION_FILES / MUTATION_TESTS (comma-separated globs) narrow a run, e.g. to one rule file and
// the tests that exercise it (scripts/mutation-ci.sh, and the per-file runs in docs/testing.md).
const list = (v) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    // Unit and webhook tests, and the discovery tests of adapter/live.ts and adapter/listed.ts.
    // fuzz.test.ts is left out: it asserts only that nothing crashes, reaches every line, and would
    // run (16 s) for every surviving mutant.
    testFiles: list(process.env.MUTATION_TESTS) ?? [
      'test/core/**/*.test.ts',
      'test/webhook/deployments.test.ts',
      'test/webhook/hpas.test.ts',
      'test/webhook/warnings-and-crashes.test.ts',
      'test/discovery/live.test.ts',
      'test/discovery/adapter-api.test.ts',
    ],
    nodeArgs: ['-r', '{{hookFile}}', '--import', 'tsx', '--test-reporter=tap', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate: list(process.env.MUTATION_FILES) ?? [
    'src/core/validate/**/*.ts',
    'src/core/mutate/**/*.ts',
    'src/core/adapter/**/*.ts',
    'src/core/annotations.ts',
    'src/core/quantity.ts',
    '!src/core/adapter/types.ts',
  ],
  // MUTATION_EXCLUDE (comma-separated mutator names): mutants not generated at all, e.g. StringLiteral
  // for the files whose strings scripts/mutation-score.ts leaves out anyway (scripts/mutation-file.sh).
  mutator: { excludedMutations: list(process.env.MUTATION_EXCLUDE) ?? [] },
  // Module-level constants run at import: each such mutant would need every test file.
  ignoreStatic: true,
  // The machine is shared: one test process at a time (run it under `nice -n 19`).
  concurrency: 1,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  // MUTATION_REPORT: where a per-file run (scripts/mutation-file.sh) writes its JSON report.
  jsonReporter: { fileName: process.env.MUTATION_REPORT ?? 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  // Stryker's own thresholds apply to the overall score; scripts/mutation-score.ts checks every file.
  thresholds: { high: 90, low: 85, break: 85 },
  // A mutant that times out counts as killed. At `nice -n 19` on the shared 2-core machine a test
  // process can wait a minute and more for CPU, so a short timeout would count starved survivors as
  // killed and inflate the score. Real endless loops do not need it: the tap runner stops a mutant
  // whose hit count passes Stryker's hit limit (from the dry run) and reports it as a timeout. One
  // value for every run (full, CI, per file), so a timeout means the same everywhere.
  timeoutMS: 120000,
  dryRunTimeoutMinutes: 20,
  tempDirName: '.stryker-tmp',
};
