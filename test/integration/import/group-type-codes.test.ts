import { collect } from '../../helpers/collect.js';
import {
  groupRecord,
  memberRecord,
  membershipRecord,
  personRecord,
  sourcedid,
} from './support/pifu-records.js';
import { problemFile } from './support/problem-file.js';

const datasource = 'ist@kommune.no';
const id = (value: string) => sourcedid(value, datasource);
/** A group with the grouptype codes given, not the spec's. */
const coded = (key: string, scheme: string, level: string, type: string, parent: string) =>
  `<group>${id(key)}<grouptype><scheme>${scheme}</scheme><typevalue level="${level}">${type}</typevalue></grouptype>` +
  `<description><short>g</short></description><relationship relation="1">${id(parent)}<label>p</label></relationship></group>`;

/** One record a line, so each problem's line is known. */
const records = [
  personRecord(id('elev'), 'Elev'), // 4
  groupRecord(id('eier'), 'skoleeier', id('eier')), // 5: the spec's codes
  coded('skole', 'pifu-ims-go-org', '2', 'skole', 'eier'), // 6: the spec's codes, written by hand
  coded('1a', 'pifu-ims-go-org', '3', 'basisgruppe', 'skole'), // 7: another scheme and level
  coded('1b', 'pifu-ims-go-grp', '3', 'basisgruppe', 'skole'), // 8: another level
  coded('2a', 'pifu-ims-go-grp', '1', 'basisgruppe', 'skole'), // 9: the spec's codes
  membershipRecord(id('1a'), memberRecord(id('elev'))), // 10
];

/**
 * Spec 2.3 pairs each group typevalue with one scheme and one level code; real exports write others
 * (a class under the organisation scheme, or at level 3). The reader takes the type from the value either
 * way, but says so: a `group-type-codes` problem per group, with its id and line, refusing the file unless
 * that mode is tolerated.
 */
describe('import: a group whose grouptype scheme or level is not the spec’s for its value', () => {
  const fixture = problemFile('pifu-group-codes-', datasource, records);

  const what = "its grouptype's scheme or level is not the one PIFU pairs with its typevalue";
  const expected = [
    { rule: 'group-type-codes', object: 'group', id: '1a', line: 7, what },
    { rule: 'group-type-codes', object: 'group', id: '1b', line: 8, what },
  ];

  it('strict: each such group reported with its id and line; refused', async () => {
    await fixture.read([], async (read) => {
      expect(read.report.refused).toBe(true);
      expect(read.report.problemCounts).toEqual({ 'group-type-codes': 2 });
      expect(read.report.problems).toEqual(expected);
    });
  });

  it('tolerated: counted, and every group kept with the type its value names', async () => {
    await fixture.read(['group-type-codes'], async (read) => {
      expect(read.report.refused).toBe(false);
      expect(read.report.problemCounts).toEqual({ 'group-type-codes': 2 });
      expect(read.report.counts).toEqual({ persons: 1, groups: 5, memberships: 1 });
      const snapshot = await read.source.openSnapshot();
      try {
        const types = (await collect(snapshot.groups())).flat().map((group) => group.type);
        expect(types.sort()).toEqual(['basisgruppe', 'basisgruppe', 'basisgruppe', 'skole', 'skoleeier']);
      } finally {
        await snapshot.close();
      }
    });
  });
});
