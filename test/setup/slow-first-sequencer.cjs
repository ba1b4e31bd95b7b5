// Jest starts the longest test files first, so that on a 2-core machine the longest file does not begin
// last and run alone at the end. Jest's own order uses the durations it cached on an earlier run; a fresh
// clone (CI) has none, and jest then orders by file size, which puts short files with long runs (the
// 5-round delta test) near the end. These are the longest files measured with `npm test -- --json`
// (the CLI and child-process files take 30 to 60 s each and, started last, made the run's tail); the
// rest keep jest's order after them.
const Sequencer = require('@jest/test-sequencer').default;

const longestFirst = [
  'test/integration/state/delta-rounds.test.ts',
  'test/integration/import/delta.property.test.ts',
  'test/integration/faults/kill-export.test.ts',
  'test/integration/embedded/exit-codes.test.ts',
  'test/integration/faults/kill-worker.test.ts',
  'test/integration/cli/package-bin.test.ts',
  'test/integration/records-db/records-db-source.test.ts',
  'test/integration/embedded/data-dir-lock.test.ts',
  'test/integration/import/same-feeds.test.ts',
  'test/integration/run/heap-settings.test.ts',
  'test/integration/cli/import-cli.test.ts',
  'test/integration/import/read-memory.test.ts',
  'test/integration/embedded/roles-note.test.ts',
  'test/unit/state/delta-reconciliation.property.test.ts',
  'test/integration/state/delta-scenarios.test.ts',
  'test/integration/export/in-process.test.ts',
  'test/integration/embedded/shared-services.test.ts',
  'test/integration/cli/hostile-corpus.test.ts',
];

const rank = (path) => {
  const index = longestFirst.findIndex((suffix) => path.endsWith(suffix));
  return index === -1 ? longestFirst.length : index;
};

class LongestFirstSequencer extends Sequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: files off the list keep jest's order.
    return [...ordered].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = LongestFirstSequencer;
