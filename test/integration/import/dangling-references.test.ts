import type { GroupType, Person } from '../../../src/model/index.js';
import { collect } from '../../helpers/collect.js';
import {
  groupRecord,
  memberRecord,
  membershipRecord,
  personRecord,
  sourcedid,
} from './support/pifu-records.js';
import { problemFile } from './support/problem-file.js';

const nin = '01019012480'; // valid check digits, as an exporter may use for an id
const id = (value: string) => sourcedid(value, 's');
const person = (key: string, guardians: string[] = []) => personRecord(id(key), key, guardians.map(id));
const group = (key: string, type: GroupType, parent: string) => groupRecord(id(key), type, id(parent));
const member = (key: string) => memberRecord(id(key));
const membership = (key: string, ...members: string[]) => membershipRecord(id(key), ...members);

/** One record a line, so each problem's line is known. */
const records = [
  person('elev', ['verge', 'borte', `foresatt-${nin}`]), // 4: verge comes later; the other two never
  person('verge'), // 5
  group('eier', 'skoleeier', 'eier'), // 6
  group('skole', 'skole', 'eier'), // 7
  group('1a', 'basisgruppe', 'skole'), // 8
  membership('1a', member('elev'), member('ukjent'), member(`laerer-${nin}`)), // 9
  membership('1b', member('elev')), // 10: no such group
];

/**
 * Issue 13: every reference must resolve to an object in the file. A guardian link
 * (`pifu_hasContactPerson`) to a person the file does not hold is a dangling reference like a membership
 * of a missing member, reported at the person's line with both ids; each problem names its object well
 * enough to tell two on one line apart, national numbers in ids masked.
 */
describe('import: dangling references, guardians and members named', () => {
  const fixture = problemFile('pifu-dangling-', 's', records);

  const masked = `*********80`;
  const expected = [
    ['person', 'elev, guardian borte', 4, 'its guardian is not in the file'],
    ['person', `elev, guardian foresatt-${masked}`, 4, 'its guardian is not in the file'],
    ['membership', 'membership in group 1a, member ukjent', 9, 'its person is not in the file'],
    ['membership', `membership in group 1a, member laerer-${masked}`, 9, 'its person is not in the file'],
    ['membership', 'membership in group 1b, member elev', 10, 'its group is not in the file'],
  ].map(([object, id, line, what]) => ({ rule: 'dangling-references', object, id, line, what }));

  it('strict: reports each with its ids (masked) and line, and refuses the file', async () => {
    await fixture.read([], async (read) => {
      expect(read.report.refused).toBe(true);
      expect(read.report.problemCounts).toEqual({ 'dangling-references': 5 });
      expect(read.report.problems).toEqual(expected);
      expect(JSON.stringify(read.report)).not.toContain(nin);
    });
  });

  it('lenient: counts them, keeps the person without the missing links and the guardian it has', async () => {
    await fixture.read(['dangling-references'], async (read) => {
      expect(read.report.refused).toBe(false);
      expect(read.report.problemCounts).toEqual({ 'dangling-references': 5 });
      expect(read.report.problems).toEqual(expected);
      const persons: Person[] = await collect((await read.source.openSnapshot()).persons());
      expect(persons).toHaveLength(2);
      const verge = persons.find((each) => each.populations.includes('guardian'));
      const elev = persons.find((each) => each !== verge);
      expect(elev?.guardians.map((link) => link.guardianKey)).toEqual([verge?.key]);
    });
  });
});
