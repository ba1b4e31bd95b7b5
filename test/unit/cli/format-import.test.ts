import { formatImportReport } from '../../../jobs/cli/format-import.js';
import type { ImportReport } from '../../../src/operations/index.js';

const report: ImportReport = {
  file: { path: '/drop/delta.xml', bytes: 2048, sha256: 'ab'.repeat(32) },
  feedType: 'delta',
  datetime: '2024-08-16T02:00:00Z',
  counts: { persons: 3, groups: 4, memberships: 3 },
  withheld: {},
  rekeyed: { persons: 0, groups: 0, groupsForNationalNumber: 0 },
  problemCounts: { 'unknown-objects': 1 },
  problems: [
    {
      rule: 'unknown-objects',
      object: 'person',
      id: 'p-9',
      line: 12,
      what: 'recstatus 2 updates a person the roster does not hold',
    },
  ],
  lenient: ['unknown-objects'],
  refused: false,
  base: { runId: 'run-1', datetime: '2024-08-15T02:00:00.000Z', feedType: 'full' },
  changes: {
    persons: { added: 1, changed: 1, deleted: 1 },
    groups: { added: 0, changed: 0, deleted: 0 },
    memberships: { added: 1, changed: 0, deleted: 2 },
  },
};

describe('the import report of a delta', () => {
  it('says what it was applied to and what it changed, and each problem with its line', () => {
    const text = formatImportReport(report);
    expect(text).toContain('delta export of 2024-08-16T02:00:00Z: 3 persons, 4 groups, 3 memberships');
    expect(text).toContain(
      'applied to the full export of 2024-08-15T02:00:00.000Z (run run-1): persons +1 ~1 -1, groups +0 ~0 -0, memberships +1 ~0 -2',
    );
    expect(text).toMatch(/12\s+person\s+p-9\s+unknown-objects/);
    expect(text).toContain('unknown-objects 1 (tolerated)');
  });

  it('says what was re-keyed, and why a group was, without reading as if persons held national numbers', () => {
    const text = formatImportReport({
      ...report,
      rekeyed: { persons: 3, groups: 3, groupsForNationalNumber: 1 },
    });
    expect(text).toContain(
      "re-keyed (the file's id replaced by a hub key): 3 persons; 3 groups (1 for a national number in the group id, 2 for another system's group with that id)",
    );
    expect(text).not.toMatch(/persons[^;\n]*national number/);
  });

  it('says nothing of a base for a full export', () => {
    const { base: _base, changes: _changes, ...full } = report;
    expect(formatImportReport({ ...full, feedType: 'full' })).not.toContain('applied to');
  });
});
