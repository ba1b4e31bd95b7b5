// Three projects, split by audience (docs/requirements.md#c10): unit needs no services; integration uses real
// PostgreSQL and Redis started or found by test/setup/global-setup.ts.
import { availableParallelism } from 'node:os';

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
  ],
};
// content-disposition 3 (under @fastify/static, under the queue board) is ESM only: Node requires it
// as it is, jest's CommonJS loader cannot, so the tests compile that one package to CommonJS.
const esmOnlyPackages = ['content-disposition'];
transform[`/node_modules/(${esmOnlyPackages.join('|')})/.+\\.js$`] = [
  '@swc/jest',
  { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // Each test file's scratch directories (test/helpers/scratch-dir.ts) go when the file ends.
  setupFilesAfterEnv: ['<rootDir>/test/setup/remove-scratch.ts'],
};
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup/fast-check.ts'],
      globalSetup: '<rootDir>/test/setup/unit-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/unit-global-teardown.ts',
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  // Generous: a test that passes costs no more, and a loaded CI machine must not fail a correct one.
  testTimeout: 120000,
  // Integration tests wait on PostgreSQL, Redis and child processes (the CLI, npm exec, PGlite starting)
  // more than they compute, and each file has its own database and queue prefix: with a worker per core
  // the suite used little more than one of two cores (113 % CPU over 13 minutes); one worker more than
  // the cores overlaps those waits.
  maxWorkers: availableParallelism() + 1,
  // A worker keeps every test file's module graph it has run (ESM modules in vm contexts are not freed
  // promptly), and each garbage collection then walks all of it: recycled once it holds more.
  workerIdleMemoryLimit: '1GB',
  // The longest files first, whether or not jest has cached durations (test/setup/slow-first-sequencer.cjs).
  testSequencer: '<rootDir>/test/setup/slow-first-sequencer.cjs',
};
