import { join } from 'node:path';
import { sql } from 'kysely';
import type { GroupType, Membership, Person } from '../../../src/model/index.js';
import { importFile, type OperationContext } from '../../../src/operations/index.js';
import { hubContext, operationContext, recipient, testActor } from '../../helpers/hub-fixture.js';
import { collect } from '../../helpers/collect.js';
import {
  groupRecord,
  memberRecord,
  membershipRecord,
  personRecord,
  sourcedid,
} from './support/pifu-records.js';
import { problemFile } from './support/problem-file.js';

const id = (value: string) => sourcedid(value, 's');
const person = (key: string, given: string) => personRecord(id(key), given);
const group = (key: string, type: GroupType, parent: string) => groupRecord(id(key), type, id(parent));
const member = (key: string, roletype: string, begin?: string) => memberRecord(id(key), roletype, begin);
const membership = (key: string, ...members: string[]) => membershipRecord(id(key), ...members);

/** One record a line, so each problem's line is known. */
const records = [
  person('p1', 'Første'), // 4
  person('p2', 'Andre'), // 5
  person('p1', 'Senere'), // 6: the same person id again
  group('eier', 'skoleeier', 'eier'), // 7
  group('skole', 'skole', 'eier'), // 8
  group('skole', 'skole', 'eier'), // 9: the same group id again
  group('1a', 'basisgruppe', 'skole'), // 10
  membership('1a', member('p1', '01'), member('p1', '01'), member('p2', '02')), // 11: p1 pupil twice
  membership('1a', member('p2', '02'), member('p2', '05')), // 12: p2 teacher again; management is new
  membership('skole', member('p1', '01', '2024-08-01')), // 13
  membership('skole', member('p1', '01', '2019-08-01')), // 14: the school membership again, other dates
];

/**
 * Issue 13: the same person or group id twice in a file, or the same member with the same role twice in
 * a group, is a duplicate: reported per object with its id and line, counted, and the file refused unless
 * `duplicates` is tolerated; then the first in the file is kept, every time.
 */
describe('import: duplicates in a PIFU file', () => {
  const fixture = problemFile('pifu-duplicates-', 's', records);
  let ops: OperationContext;
  beforeAll(() => {
    const ctx = hubContext(fixture.database.db, {
      recipients: (drop) => [recipient('katalog', 'directory', join(drop, 'katalog'))],
    });
    ops = { ...operationContext(ctx), rosterFiles: fixture.reader };
  });

  it('reports each duplicate with its id and line, counts them, and refuses the file by default', async () => {
    await fixture.read([], async (read) => {
      expect(read.report.refused).toBe(true);
      expect(read.report.problemCounts).toEqual({ duplicates: 5 });
      expect(read.report.problems).toEqual([
        { rule: 'duplicates', object: 'person', id: 'p1', line: 6, what: 'the person is in the file twice' },
        { rule: 'duplicates', object: 'group', id: 'skole', line: 9, what: 'the group is in the file twice' },
        ...[
          ['1a', 'p1', 11],
          ['1a', 'p2', 12],
          ['skole', 'p1', 14],
        ].map(([groupId, personId, line]) => ({
          rule: 'duplicates',
          object: 'membership',
          id: `membership in group ${groupId}, member ${personId}`,
          line,
          what: 'the member has this role in the group twice',
        })),
      ]);
    });
  });

  it('refuses the import, naming the rule, and records nothing', async () => {
    await expect(importFile(ops, testActor(), { path: fixture.file })).rejects.toThrow(
      /PIFU_IMPORT_REFUSED: .*duplicates 5.*nothing was imported/,
    );
    const runs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.run`.execute(
      fixture.database.db,
    );
    expect(runs.rows[0]?.n).toBe(0);
  });

  it('with --lenient duplicates keeps the first of each, the same on every read', async () => {
    const rosters: { persons: Person[]; memberships: Membership[] }[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      await fixture.read(['duplicates'], async (read) => {
        expect(read.report).toMatchObject({
          refused: false,
          problemCounts: { duplicates: 5 },
          counts: { persons: 2, groups: 3, memberships: 4 },
        });
        const snapshot = await read.source.openSnapshot();
        rosters.push({
          persons: await collect(snapshot.persons()),
          memberships: await collect(snapshot.memberships()),
        });
        expect(await collect(snapshot.groups())).toHaveLength(3);
        await read.commit(fixture.database.db, `run-${rosters.length}`); // the second read gets the same hub keys
      });
    }
    const [first, second] = rosters;
    expect(second).toEqual(first);
    expect(first!.persons.map((each) => each.name.given).sort()).toEqual(['Andre', 'Første']);
    const pupil = first!.persons.find((each) => each.name.given === 'Første')!;
    const p2 = first!.persons.find((each) => each.name.given === 'Andre')!;
    const rows = (list: string[][]) => list.map((row) => row.join(' ')).sort();
    expect(rows(first!.memberships.map((each) => [each.groupKey, each.personKey, each.role]))).toEqual(
      rows([
        ['1a', pupil.key, 'pupil'],
        ['1a', p2.key, 'teacher'],
        ['1a', p2.key, 'management'],
        ['skole', pupil.key, 'pupil'],
      ]),
    );
    // The school membership kept is the first: its dates, not the duplicate's, make the affiliation.
    expect(first!.memberships.find((each) => each.groupKey === 'skole')?.timeframe?.begin).toBe('2024-08-01');
    expect(pupil.affiliations).toEqual([{ schoolKey: 'skole', population: 'pupil', begin: '2024-08-01' }]);
  });
});
