import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPifuFileReader } from '../../../connectors/sources/pifu-file/index.js';
import {
  compareKeys,
  membershipRoles,
  type Group,
  type Membership,
  type PersonIdentifierType,
} from '../../../src/model/index.js';
import { defaultInputLimits, renderFeed, toFeedPerson, type FeedPerson } from '../../../src/pifu/index.js';
import type { RosterFileReader } from '../../../src/ports/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { scratchDir } from '../../helpers/scratch-dir.js';

const text = fc.stringMatching(/^[A-Za-zæøå][A-Za-zÆØÅæøåé&<>'" -]{0,19}$/);
const digitsOrWord = fc.stringMatching(/^[0-9a-z]{1,12}$/);
const validNins = ['08908200064', '28837000078'];
const identifierTypes: PersonIdentifierType[] = ['lin', 'studentId', 'workforceId', 'username', 'feideId'];
const isoDate = fc
  .date({ min: new Date('1950-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const byKey = <T extends { key: string }>(a: T, b: T) => compareKeys(a.key, b.key);

/** A consistent roster as a school system exports it: every reference resolves, ids are the system's. */
const rosterArbitrary = fc
  .record({
    keys: fc.uniqueArray(fc.uuid({ version: 4 }), { minLength: 1, maxLength: 6 }),
    schools: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ keys, schools }) => {
    const schoolKeys = Array.from({ length: schools }, (_, index) => `00${index + 1}`);
    const classKeys = schoolKeys.map((school) => `${school}-1A`);
    const person = (key: string) =>
      fc.record({
        key: fc.constant(key),
        name: fc.record({ given: text, family: text }),
        birthDate: isoDate,
        gender: fc.constantFrom('unknown' as const, 'female' as const, 'male' as const),
        status: fc.constantFrom('active' as const, 'inactive' as const),
        nin: fc.option(fc.constantFrom(...validNins), { nil: undefined }),
        identifiers: fc.uniqueArray(
          fc.record({ type: fc.constantFrom(...identifierTypes), value: digitsOrWord }),
          {
            maxLength: 3,
            selector: (identifier) => identifier.type,
          },
        ),
        emails: fc.uniqueArray(
          fc.record({
            kind: fc.constantFrom('private' as const, 'org' as const),
            address: fc.stringMatching(/^[a-z]{1,8}@[a-z]{1,8}\.no$/),
            priority: fc.integer({ min: 1, max: 9 }),
          }),
          { maxLength: 2, selector: (email) => email.kind },
        ),
        phones: fc.uniqueArray(
          fc.record({
            kind: fc.constantFrom('mobilePrivate' as const, 'org' as const),
            number: fc.stringMatching(/^\+47[0-9]{8}$/),
            priority: fc.integer({ min: 1, max: 9 }),
          }),
          { maxLength: 2, selector: (phone) => phone.kind },
        ),
        preferredLanguage: fc.option(fc.constantFrom('nb', 'nn'), { nil: undefined }),
        guardianKeys: fc.uniqueArray(fc.constantFrom(...keys), { maxLength: 2 }),
      });
    const membership = fc.record({
      groupKey: fc.constantFrom(...schoolKeys, ...classKeys),
      personKey: fc.constantFrom(...keys),
      role: fc.constantFrom(...membershipRoles),
      isActive: fc.boolean(),
      isPrimary: fc.boolean(),
      timeframe: fc.option(fc.record({ begin: isoDate }), { nil: undefined }),
    });
    return fc.record({
      persons: fc.tuple(...keys.map(person)),
      memberships: fc.uniqueArray(membership, {
        maxLength: 10,
        selector: (m) => `${m.groupKey}/${m.personKey}/${m.role}`,
      }),
      schoolKeys: fc.constant(schoolKeys),
      classKeys: fc.constant(classKeys),
    });
  });

type Sample =
  fc.Arbitrary<unknown> extends never ? never : Parameters<Parameters<typeof rosterArbitrary.map>[0]>[0];

function expected(sample: Sample) {
  const persons: FeedPerson[] = sample.persons
    .map(({ nin, preferredLanguage, guardianKeys, ...person }) => ({
      ...person,
      identifiers: [
        ...person.identifiers,
        ...(nin === undefined ? [] : [{ type: 'nin' as const, value: nin }]),
      ].sort((a, b) => compareKeys(a.type, b.type) || compareKeys(a.value, b.value)),
      emails: [...person.emails].sort((a, b) => compareKeys(a.kind, b.kind)),
      phones: [...person.phones].sort((a, b) => compareKeys(a.kind, b.kind)),
      addresses: [],
      ...(preferredLanguage === undefined ? {} : { preferredLanguage }),
      guardianKeys: [...guardianKeys].sort(compareKeys),
    }))
    .sort(byKey);
  const owner: Group = {
    key: 'k',
    type: 'skoleeier',
    parentKey: 'k',
    shortName: 'Kommune',
    identifiers: [],
    schoolTypes: [],
  };
  const groups: Group[] = [
    owner,
    ...sample.schoolKeys.map((key) => ({
      key,
      type: 'skole' as const,
      parentKey: 'k',
      schoolKey: key,
      shortName: `Skole ${key}`,
      identifiers: [],
      schoolTypes: [],
    })),
    ...sample.classKeys.map((key) => ({
      key,
      type: 'basisgruppe' as const,
      parentKey: key.slice(0, -3),
      schoolKey: key.slice(0, -3),
      shortName: `Klasse ${key}`,
      identifiers: [],
      schoolTypes: [],
    })),
  ].sort(byKey);
  const roleIndex = (role: Membership['role']) => membershipRoles.indexOf(role);
  const memberships: Membership[] = sample.memberships
    .map(({ timeframe, ...membership }) => ({
      ...membership,
      ...(timeframe === undefined ? {} : { timeframe }),
    }))
    .sort(
      (a, b) =>
        compareKeys(a.groupKey, b.groupKey) ||
        compareKeys(a.personKey, b.personKey) ||
        roleIndex(a.role) - roleIndex(b.role),
    );
  return { persons, groups, memberships };
}

async function* entries<T>(items: readonly T[]) {
  for (const object of items) yield { object };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * Round trip through a file: generator → the hub's writer → a PIFU file → the pifu-file source → the
 * canonical model, equal to what the generator made (all PIFU carries; persons' uuids are adopted as hub keys).
 */
describe('pifu-file source: round trip through the writer', () => {
  let database: TestDatabase;
  let reader: RosterFileReader;
  let dir: string;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    reader = createPifuFileReader({
      db: database.db as never,
      limits: defaultInputLimits,
      sourceName: 'pifu-hub',
    });
    dir = scratchDir('pifu-roundtrip-');
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('reads back the roster the writer wrote', async () => {
    await fc.assert(
      fc.asyncProperty(rosterArbitrary, async (sample) => {
        const want = expected(sample);
        let xml = '';
        for await (const fragment of renderFeed({
          properties: { source: 'sas', snapshotAt: '2024-08-15T02:00:00.000Z' },
          feedType: 'full',
          orgUnits: new Map(
            want.groups.filter((g) => g.type !== 'basisgruppe').map((g) => [g.key, g.shortName]),
          ),
          persons: entries(want.persons),
          groups: entries(want.groups),
          memberships: entries(want.memberships),
        })) {
          xml += fragment;
        }
        const path = join(dir, 'export.xml');
        writeFileSync(path, xml);
        const file = await reader.read(path, { lenient: [], scratchDir: dir });
        try {
          expect(file.report.problemCounts).toEqual({});
          const roster = await file.source.openSnapshot();
          const persons = (await collect(roster.persons())).map(toFeedPerson);
          expect(persons).toEqual(want.persons);
          expect(await collect(roster.groups())).toEqual(want.groups);
          expect(await collect(roster.memberships())).toEqual(want.memberships);
        } finally {
          await file.close();
        }
      }),
      { numRuns: Math.min(Number(process.env['FC_RUNS'] ?? 25), 30) },
    );
  });
});
