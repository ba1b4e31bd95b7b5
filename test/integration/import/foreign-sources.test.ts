import {
  groupRecord,
  memberRecord,
  membershipRecord,
  personRecord,
  sourcedid,
} from './support/pifu-records.js';
import { problemFile } from './support/problem-file.js';

const nin = '01019012480'; // valid check digits, as an exporter may use for an id
const datasource = 'ist@kommune.no';
const other = 'Annet Skolesystem'; // a value from the file: never in the report
const id = (value: string, source = datasource) => sourcedid(value, source);
const person = (ref: string, given: string, guardian?: string) =>
  personRecord(ref, given, guardian === undefined ? [] : [guardian]);

/** One record a line, so each problem's line is known; every reference resolves by id. */
const records = [
  person(id('elev'), 'Elev', id('verge', other)), // 4: a contact person's source
  person(id('verge'), 'Verge'), // 5
  person(id(`laerer-${nin}`, other), 'Lærer'), // 6: the person's own
  groupRecord(id('eier'), 'skoleeier', id('eier')), // 7
  groupRecord(id('skole'), 'skole', id('eier', '')), // 8: a related group's, empty
  membershipRecord(id('skole', other), memberRecord(id('elev')), memberRecord(id(`laerer-${nin}`))), // 9
  membershipRecord(id('skole'), memberRecord(id('verge', other))), // 10: a member's
];

/**
 * PIFU identifies an object by its sourcedid's `source` and `id`, and `source` should equal the file's
 * `properties/datasource` (spec 2.5 row 5.6). The hub keeps a file's ids as its datasource's, so a
 * sourcedid naming another source is an object the hub cannot tell apart from its datasource's: reported
 * per sourcedid (whose it is, its id masked, the line; never the source it names), refused unless
 * `foreign-sources` is tolerated, and then read as the datasource's.
 */
describe('import: a sourcedid naming a source other than the datasource', () => {
  const fixture = problemFile('pifu-foreign-', datasource, records);

  const what = (whose: string) =>
    `${whose} sourcedid names a source other than the file's properties/datasource`;
  const expected = [
    ['person', 'verge', 4, "a contact person's"],
    ['person', 'laerer-*********80', 6, "the person's own"],
    ['group', 'eier', 8, "a related group's"],
    ['membership', 'skole', 9, "the membership's group"],
    ['membership', 'verge', 10, "a member's"],
  ].map(([object, problemId, line, whose]) => ({
    rule: 'foreign-sources',
    object,
    id: problemId,
    line,
    what: what(whose as string),
  }));

  it('strict: each such sourcedid reported, with whose it is, its id masked and its line; refused', async () => {
    await fixture.read([], async (read) => {
      expect(read.report.refused).toBe(true);
      expect(read.report.problemCounts).toEqual({ 'foreign-sources': 5 });
      expect(read.report.problems).toEqual(expected);
      const text = JSON.stringify(read.report);
      expect(text).not.toContain(nin);
      expect(text).not.toContain(other);
    });
  });

  it('tolerated: counted, and every id read as the datasource’s', async () => {
    await fixture.read(['foreign-sources'], async (read) => {
      expect(read.report.refused).toBe(false);
      expect(read.report.problemCounts).toEqual({ 'foreign-sources': 5 });
      expect(read.report.counts).toEqual({ persons: 3, groups: 2, memberships: 3 });
    });
  });
});
