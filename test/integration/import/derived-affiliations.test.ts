import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import type { Group, Membership, Person } from '../../../src/model/index.js';
import { defaultInputLimits, renderFeed, type FeedPerson } from '../../../src/pifu/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [pupil, leaver, guardian, counsellor] = [1, 2, 3, 4].map(uuid) as [string, string, string, string];

function person(key: string, given: string, extra: Partial<FeedPerson> = {}): FeedPerson {
  return {
    key,
    name: { given, family: 'Test' },
    status: 'active',
    identifiers: [],
    emails: [],
    phones: [],
    addresses: [],
    guardianKeys: [],
    ...extra,
  };
}

function group(key: string, type: Group['type'], parentKey: string, schoolKey?: string): Group {
  return {
    key,
    type,
    parentKey,
    ...(schoolKey === undefined ? {} : { schoolKey }),
    shortName: key,
    identifiers: [],
    schoolTypes: [],
  };
}

function member(
  groupKey: string,
  personKey: string,
  role: Membership['role'],
  isActive = true,
  subrole?: string,
) {
  return {
    groupKey,
    personKey,
    role,
    isActive,
    isPrimary: false,
    ...(subrole === undefined ? {} : { subrole }),
  };
}

async function* entries<T>(items: readonly T[]) {
  for (const object of items) yield { object };
}

/**
 * What a file's memberships make of its persons (docs/cli.md#pifu-hub-import): a 01 role a pupil, a
 * guardian's seat nothing, any other role staff; an inactive membership places only an inactive person.
 */
describe('pifu-file source: populations and affiliations from the memberships', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('places pupils, staff and guardians at their schools as the records store would', async () => {
    const groups = [
      group('k', 'skoleeier', 'k'),
      group('s1', 'skole', 'k', 's1'),
      group('s1-1a', 'basisgruppe', 's1', 's1'),
      group('s1-fau', 'fau', 's1', 's1'),
      group('s1-foresatte', 'foresattegruppe', 's1', 's1'),
      group('s2', 'skole', 'k', 's2'),
      group('s2-1a', 'basisgruppe', 's2', 's2'),
    ];
    const memberships = [
      member('s1', counsellor, 'other', true, 'rådgiver'),
      member('s1-1a', pupil, 'pupil', false),
      member('s1-1a', leaver, 'pupil', false),
      member('s1-fau', guardian, 'other', true, 'foresattrepresentant'),
      member('s1-foresatte', guardian, 'other'),
      member('s2-1a', pupil, 'pupil'),
    ];
    let xml = '';
    for await (const fragment of renderFeed({
      properties: { source: 'sas', snapshotAt: '2025-08-18T06:00:00.000Z' },
      feedType: 'full',
      orgUnits: new Map([
        ['k', 'Kommune'],
        ['s1', 's1'],
        ['s2', 's2'],
      ]),
      persons: entries([
        person(pupil, 'Pupil', { guardianKeys: [guardian] }),
        person(leaver, 'Leaver', { status: 'inactive' }),
        person(guardian, 'Guardian'),
        person(counsellor, 'Counsellor'),
      ]),
      groups: entries(groups),
      memberships: entries(memberships),
    })) {
      xml += fragment;
    }
    const dir = scratchDir('pifu-affiliations-');
    writeFileSync(join(dir, 'export.xml'), xml);
    const reader = createPifuFileReader({
      db: database.db as never,
      limits: defaultInputLimits,
      sourceName: 'x',
    });
    const file = await reader.read(join(dir, 'export.xml'), { lenient: [], scratchDir: dir });
    const placed = new Map<string, Pick<Person, 'populations' | 'affiliations'>>();
    try {
      expect(file.report.problemCounts).toEqual({});
      const roster = await file.source.openSnapshot();
      for await (const { key, populations, affiliations } of roster.persons()) {
        placed.set(key, { populations, affiliations });
      }
    } finally {
      await file.close();
    }
    const at = (schoolKey: string, population: 'pupil' | 'staff') => [{ schoolKey, population }];
    // The active pupil left the class at s1: that inactive membership places them nowhere.
    expect(placed.get(pupil)).toEqual({ populations: ['pupil'], affiliations: at('s2', 'pupil') });
    // An inactive pupil keeps the school their inactive memberships name, as the records store keeps the enrolment.
    expect(placed.get(leaver)).toEqual({ populations: ['pupil'], affiliations: at('s1', 'pupil') });
    // A guardian group and a guardian representative's seat are no employment.
    expect(placed.get(guardian)).toEqual({ populations: ['guardian'], affiliations: [] });
    expect(placed.get(counsellor)).toEqual({ populations: ['staff'], affiliations: at('s1', 'staff') });
  });
});
