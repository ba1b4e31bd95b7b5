import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Group, Membership, Person, Roster } from '../../../src/model/index.js';
import { openRosterSpool, writeRosterSpool } from '../../../src/spool/index.js';
import { owner, sampleGroup, sampleMembership, samplePerson, school } from '../pifu/feed-fixture.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

function roster(parts: { persons: Person[]; groups: Group[]; memberships: Membership[] }): Roster {
  return {
    properties: { source: 'pifu-hub', snapshotAt: '2026-11-23T02:00:00Z' },
    persons: () => each(parts.persons),
    groups: () => each(parts.groups),
    memberships: () => each(parts.memberships),
  };
}

// Two schools: g-school (organisation number 333000333) and g-second (NSR id only).
const second: Group = {
  ...school,
  key: 'g-second',
  schoolKey: 'g-second',
  identifiers: [{ type: 'nsrId', value: '5555' }],
};
const groups = [
  sampleGroup({ key: 'g-7a' }),
  sampleGroup({ key: 'g-7b' }),
  owner,
  school,
  second,
  sampleGroup({ key: 'g-x1', parentKey: 'g-second', schoolKey: 'g-second' }),
].sort((a, b) => (a.key < b.key ? -1 : 1));

describe('the run spool counts its snapshot per school', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratchDir('pifu-spool-counts-');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("counts each school's persons once, its groups, and the memberships in them, in the manifest", async () => {
    const persons = [
      samplePerson({ key: 'p-1' }),
      // Pupil and staff at g-school, staff at g-second: one person at each school.
      samplePerson({
        key: 'p-2',
        affiliations: [
          { schoolKey: 'g-school', population: 'pupil', level: 7 },
          { schoolKey: 'g-school', population: 'staff' },
          { schoolKey: 'g-second', population: 'staff' },
        ],
      }),
      samplePerson({ key: 'p-3', populations: ['guardian'], affiliations: [] }),
    ];
    const memberships = [
      sampleMembership({ groupKey: 'g-7a', personKey: 'p-1' }),
      sampleMembership({ groupKey: 'g-7a', personKey: 'p-2' }),
      sampleMembership({ groupKey: 'g-7b', personKey: 'p-1' }),
      sampleMembership({ groupKey: 'g-gone', personKey: 'p-1' }),
      sampleMembership({ groupKey: 'g-x1', personKey: 'p-2', role: 'teacher' }),
    ];
    // A roster that cannot share its snapshot with another thread is spooled in this one.
    const { threads, ...written } = await writeRosterSpool(
      roster({ persons, groups, memberships }),
      join(dir, 'roster'),
    );
    expect(threads).toBe(1);
    expect(written).toEqual({
      persons: 3,
      groups: 6,
      memberships: 5,
      schools: {
        'g-school': { label: '333000333', persons: 2, groups: 3, memberships: 3 },
        'g-second': { label: '5555', persons: 1, groups: 2, memberships: 1 },
      },
    });
    expect((await openRosterSpool(join(dir, 'roster'))).counts).toEqual(written);
  });

  it('still spools every object unchanged while it counts', async () => {
    const persons = [samplePerson({ key: 'p-1' })];
    const memberships = [sampleMembership({ groupKey: 'g-7a', personKey: 'p-1' })];
    await writeRosterSpool(roster({ persons, groups, memberships }), join(dir, 'roster'));
    const spool = await openRosterSpool(join(dir, 'roster'));
    const read = async <T>(stream: AsyncIterable<T>) => {
      const all: T[] = [];
      for await (const item of stream) all.push(item);
      return all;
    };
    expect(await read(spool.persons())).toEqual(persons);
    expect(await read(spool.groups())).toEqual(groups);
    expect(await read(spool.memberships())).toEqual(memberships);
  });
});
