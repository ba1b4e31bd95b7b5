import { PGlite } from '@electric-sql/pglite';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import {
  createRecordsDbSource,
  migrateRecordsStore,
  type RecordsDbDriver,
  type SourceDatabase,
} from '../../../connectors/sources/records-db/index.js';
import {
  generateMunicipality,
  isValidNationalIdentityNumber,
  loadMunicipality,
  type Municipality,
} from '../../../fixtures/generator/index.js';
import {
  compareKeys,
  membershipKey,
  type Affiliation,
  type BatchedStream,
  type Group,
  type Membership,
  type Person,
} from '../../../src/model/index.js';
import { createTestDatabase } from '../../helpers/test-database.js';
import { collect } from '../../helpers/collect.js';

interface Store {
  readonly db: Kysely<SourceDatabase>;
  /** Given: the streams read by COPY; absent: by keyset pages. */
  readonly driver?: RecordsDbDriver;
  close(): Promise<void>;
}

function expectStrictlyAscending(keys: readonly string[]): void {
  for (let i = 1; i < keys.length; i += 1) expect(compareKeys(keys[i - 1] ?? '', keys[i] ?? '')).toBe(-1);
}

const backends: [string, (municipality: Municipality) => Promise<Store>][] = [
  [
    'PostgreSQL, read by COPY',
    async (municipality) => {
      const database = await createTestDatabase();
      await migrateRecordsStore(database.db);
      await loadMunicipality({ kind: 'pg', pool: database.pool }, municipality);
      return { db: database.db, driver: { pool: database.pool }, close: () => database.destroy() };
    },
  ],
  [
    'PGlite',
    async (municipality) => {
      const pglite = new PGlite();
      const db = new Kysely<SourceDatabase>({ dialect: new PGliteDialect(pglite) });
      await migrateRecordsStore(db);
      await loadMunicipality({ kind: 'pglite', pglite }, municipality);
      return { db, close: () => db.destroy() };
    },
  ],
];

describe.each(backends)('records-db source on %s', (_name, openStore) => {
  const municipality = generateMunicipality({ scale: 'small', seed: 11 });
  const rowCount = (table: string): number => {
    let rows = 0;
    for (const _row of municipality.tables.find((candidate) => candidate.name === table)?.rows() ?? [])
      rows += 1;
    return rows;
  };
  /** The generated rows of one table as objects keyed by column name. */
  const rowsOf = (table: string): Record<string, unknown>[] => {
    const generated = municipality.tables.find((candidate) => candidate.name === table);
    if (generated === undefined) throw new Error(`no table ${table}`);
    return [...generated.rows()].map((row) =>
      Object.fromEntries(generated.columns.map((column, i) => [column, row[i]])),
    );
  };
  let store: Store;
  let persons: Person[];
  let groups: Group[];
  let memberships: Membership[];
  let snapshotAt: string;

  beforeAll(async () => {
    store = await openStore(municipality);
    const snapshot = await createRecordsDbSource(
      store.db,
      { source: 'syntetfjord' },
      store.driver,
    ).openSnapshot();
    try {
      persons = await collect(snapshot.persons());
      groups = await collect(snapshot.groups());
      memberships = await collect(snapshot.memberships());
      snapshotAt = snapshot.properties.snapshotAt;
      expect(snapshot.properties.source).toBe('syntetfjord');
    } finally {
      await snapshot.close();
    }
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  it('streams every person, group and membership in canonical key order', () => {
    const { pupils, guardians, staff } = municipality.counts;
    expect(persons).toHaveLength(pupils + guardians + staff);
    expect(groups).toHaveLength(rowCount('roster_group'));
    expect(memberships).toHaveLength(rowCount('membership'));
    expectStrictlyAscending(persons.map((person) => person.key));
    expectStrictlyAscending(groups.map((group) => group.key));
    for (let i = 1; i < memberships.length; i += 1) {
      const [a, b] = [memberships[i - 1], memberships[i]];
      if (a === undefined || b === undefined) throw new Error('gap in memberships');
      const order =
        compareKeys(a.groupKey, b.groupKey) ||
        compareKeys(a.personKey, b.personKey) ||
        compareKeys(a.role, b.role);
      expect(order).toBe(-1);
    }
    expect(new Date(snapshotAt).toISOString()).toBe(snapshotAt);
  });

  it('never lets special-category data or native tongue into the roster', () => {
    const json = JSON.stringify({ persons, groups, memberships });
    for (const marker of [
      'Helsenotat',
      'IOP',
      'Spesialundervisning',
      'Atferdsmerknad',
      'Særskilt norskopplæring: vedtak',
      'Familienotat',
      'nativeTongue',
    ]) {
      expect(json).not.toContain(marker);
    }
  });

  it('derives populations from enrolment, employment and guardianship', () => {
    const count = (population: string): number =>
      persons.filter((person) => person.populations.includes(population as never)).length;
    expect(count('pupil')).toBe(municipality.counts.pupils);
    expect(count('staff')).toBe(municipality.counts.staff);
    expect(count('guardian')).toBe(municipality.counts.guardians);
  });

  it('links pupils to guardians that exist in the roster, with parental responsibility', () => {
    const keys = new Set(persons.map((person) => person.key));
    const links = persons.flatMap((person) => person.guardians);
    expect(links.length).toBe(rowCount('guardian_relation'));
    expect(links.every((link) => keys.has(link.guardianKey))).toBe(true);
    expect(links.some((link) => !link.hasParentalResponsibility)).toBe(true);
    expect(
      persons
        .filter((person) => !person.populations.includes('pupil'))
        .every((person) => person.guardians.length === 0),
    ).toBe(true);
  });

  it('carries parent-access consent on each guardian link as the store holds it, true and false', () => {
    const consentOf = new Map(
      rowsOf('guardian_relation').map((row) => [`${String(row.pupil_id)}/${String(row.guardian_id)}`, row]),
    );
    const links = persons.flatMap((person) =>
      person.guardians.map((link) => ({ link, row: consentOf.get(`${person.key}/${link.guardianKey}`) })),
    );
    expect(links.length).toBe(consentOf.size);
    for (const { link, row } of links) {
      expect(link.parentAccessConsent).toBe(row?.parent_access_consent);
      expect(link.hasParentalResponsibility).toBe(row?.has_parental_responsibility);
    }
    expect(links.some(({ link }) => link.parentAccessConsent)).toBe(true);
    expect(links.some(({ link }) => link.hasParentalResponsibility && !link.parentAccessConsent)).toBe(true);
    expect(links.every(({ link }) => link.hasParentalResponsibility || !link.parentAccessConsent)).toBe(true);
  });

  it('gives every person their enrolments and employments as sorted affiliations, and nothing else', () => {
    const expected = new Map<string, Affiliation[]>();
    const add = (personKey: unknown, affiliation: Affiliation): void => {
      const list = expected.get(String(personKey)) ?? [];
      list.push(affiliation);
      expected.set(String(personKey), list);
    };
    for (const row of rowsOf('pupil_enrolment')) {
      add(row.person_id, {
        schoolKey: String(row.school_id),
        population: 'pupil',
        level: Number(row.grade),
        transportRight: row.school_transport_right === true,
        begin: String(row.begins),
        ...(row.ends === null ? {} : { end: String(row.ends) }),
      });
    }
    for (const row of rowsOf('staff_employment')) {
      add(row.person_id, {
        schoolKey: String(row.school_id),
        population: 'staff',
        begin: String(row.begins),
        ...(row.ends === null ? {} : { end: String(row.ends) }),
      });
    }
    const byOrder = (a: Affiliation, b: Affiliation): number =>
      compareKeys(a.schoolKey, b.schoolKey) ||
      compareKeys(a.population, b.population) ||
      compareKeys(a.begin ?? '', b.begin ?? '');
    for (const person of persons)
      expect(person.affiliations).toEqual((expected.get(person.key) ?? []).sort(byOrder));

    const affiliations = persons.flatMap((person) => person.affiliations);
    expect(affiliations.length).toBe(rowCount('pupil_enrolment') + rowCount('staff_employment'));
    const schoolKeys = new Set(groups.filter((group) => group.type === 'skole').map((group) => group.key));
    expect(affiliations.every((affiliation) => schoolKeys.has(affiliation.schoolKey))).toBe(true);
    const pupilAffiliations = affiliations.filter((affiliation) => affiliation.population === 'pupil');
    expect(pupilAffiliations.some((affiliation) => affiliation.transportRight === true)).toBe(true);
    expect(pupilAffiliations.some((affiliation) => affiliation.transportRight === false)).toBe(true);
    expect(pupilAffiliations.some((affiliation) => affiliation.end !== undefined)).toBe(true);
    // Staff carry school and dates only: never a level, a transport right or their position.
    for (const affiliation of affiliations.filter((candidate) => candidate.population === 'staff'))
      expect(Object.keys(affiliation).sort()).toEqual(
        ['begin', 'population', 'schoolKey', ...(affiliation.end === undefined ? [] : ['end'])].sort(),
      );
    expect(persons.filter((person) => person.affiliations.length > 1).length).toBeGreaterThan(0);
    expect(
      persons
        .filter((person) => person.populations.includes('guardian') && person.populations.length === 1)
        .every((person) => person.affiliations.length === 0),
    ).toBe(true);
  });

  it('gives groups bound to one trinn their level, and no level to the others', () => {
    const gradeOf = new Map(rowsOf('roster_group').map((row) => [String(row.id), row.grade]));
    for (const group of groups) {
      const grade = gradeOf.get(group.key);
      if (grade === null) expect(group).not.toHaveProperty('level');
      else expect(group.level).toBe(grade);
    }
    const leveled = groups.filter((group) => group.level !== undefined);
    expect(new Set(leveled.map((group) => group.type))).toEqual(
      new Set([
        'trinn',
        'basisgruppe',
        'kontaktlærergruppe',
        'undervisningsgruppe',
        'foresattegruppe',
        'fag',
        'eksamensgruppe',
        'programområde',
      ]),
    );
    expect(groups.filter((group) => group.type === 'trinn').every((group) => group.level !== undefined)).toBe(
      true,
    );
    expect(groups.some((group) => group.level === 13)).toBe(true);
  });

  it('carries D-numbers, local numbers, protected addresses and inactive pupils as the store holds them', () => {
    const nins = persons.flatMap((person) =>
      person.identifiers.filter((id) => id.type === 'nin').map((id) => id.value),
    );
    expect(nins.every(isValidNationalIdentityNumber)).toBe(true);
    expect(nins.some((nin) => Number(nin[0]) >= 4)).toBe(true);
    expect(persons.some((person) => person.identifiers.some((id) => id.type === 'lin'))).toBe(true);
    expect(persons.some((person) => person.addressProtection === 'strictlyConfidential')).toBe(true);
    expect(persons.some((person) => person.addressProtection === 'confidential')).toBe(true);
    expect(
      persons.some((person) => person.status === 'inactive' && person.populations.includes('pupil')),
    ).toBe(true);
    expect(persons.every((person) => person.phones.every((phone) => /^\+\d+$/.test(phone.number)))).toBe(
      true,
    );
  });

  it('points every group at its organisational parent and every membership at existing objects', () => {
    const byKey = new Map(groups.map((group) => [group.key, group]));
    const owner = groups.find((group) => group.type === 'skoleeier');
    expect(owner?.parentKey).toBe(owner?.key);
    expect(owner?.identifiers.map((id) => id.type)).toEqual([
      'countyNumber',
      'municipalityNumber',
      'organizationNumber',
    ]);
    for (const group of groups.filter((candidate) => candidate.type !== 'skoleeier')) {
      const parent = byKey.get(group.parentKey);
      expect(parent?.type).toBe(group.type === 'skole' ? 'skoleeier' : 'skole');
      expect(group.shortName.length).toBeLessThanOrEqual(60);
    }
    const personKeys = new Set(persons.map((person) => person.key));
    expect(
      memberships.every(
        (membership) => byKey.has(membership.groupKey) && personKeys.has(membership.personKey),
      ),
    ).toBe(true);
    expect(new Set(memberships.map(membershipKey)).size).toBe(memberships.length);
  });

  it('reads by COPY exactly the roster the keyset pages give, field for field and in the same order', async () => {
    if (store.driver === undefined) return; // PGlite reads by keyset pages only
    const snapshot = await createRecordsDbSource(store.db, { source: 'syntetfjord' }).openSnapshot();
    try {
      // JSON text, not toEqual: stricter (key order too, which the spool encodes) and far faster.
      const text = async (items: AsyncIterable<unknown>): Promise<string[]> =>
        (await collect(items)).map((item) => JSON.stringify(item));
      const same = (paged: string[], copied: unknown[]): void => {
        expect(paged.length).toBe(copied.length);
        expect(paged.filter((line, i) => line !== JSON.stringify(copied[i])).slice(0, 3)).toEqual([]);
      };
      same(await text(snapshot.persons()), persons);
      same(await text(snapshot.groups()), groups);
      same(await text(snapshot.memberships()), memberships);
    } finally {
      await snapshot.close();
    }
  });

  it('reads the three streams of one snapshot interleaved, as a consumer may', async () => {
    const snapshot = await createRecordsDbSource(store.db, {}, store.driver).openSnapshot();
    try {
      const personIterator = snapshot.persons()[Symbol.asyncIterator]();
      const membershipIterator = snapshot.memberships()[Symbol.asyncIterator]();
      const seenPersons: Person[] = [];
      const seenMemberships: Membership[] = [];
      for (let step = 0; step < 500; step += 1) {
        const person = await personIterator.next();
        if (person.done !== true) seenPersons.push(person.value);
        const membership = await membershipIterator.next();
        if (membership.done !== true) seenMemberships.push(membership.value);
      }
      await personIterator.return?.(undefined);
      await membershipIterator.return?.(undefined);
      expect(seenPersons).toEqual(persons.slice(0, 500));
      expect(seenMemberships).toEqual(memberships.slice(0, 500));
      // Stopping early released both streams: the snapshot still reads a stream to its end.
      expect((await collect(snapshot.groups())).length).toBe(groups.length);
    } finally {
      await snapshot.close();
    }
  });

  it('ends a COPY stream its reader left unfinished when the snapshot closes', async () => {
    if (store.driver === undefined) return; // keyset pages hold no connection between pages
    const copying = async (): Promise<number> => {
      const { rows } = await sql<{ count: number }>`select count(*)::int as count from pg_stat_activity
        where datname = current_database() and query ilike 'copy (%'`.execute(store.db);
      return rows[0]?.count ?? 0;
    };
    const snapshot = await createRecordsDbSource(store.db, {}, store.driver).openSnapshot();
    const iterator = snapshot.memberships()[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    expect(await copying()).toBe(1);
    await snapshot.close();
    for (let wait = 0; wait < 50 && (await copying()) > 0; wait += 1) await sleep(20);
    expect(await copying()).toBe(0);
    // What was parsed already may still come (as a page in hand does), then the stream fails, never ends.
    const drain = async (): Promise<void> => {
      while ((await iterator.next()).done !== true);
    };
    await expect(drain()).rejects.toMatchObject({ code: 'PIFU_SOURCE_UNAVAILABLE' });
  });

  it('yields the same roster in pages of 7 as in pages of 2,000, so memory follows the chunk size', async () => {
    const snapshot = await createRecordsDbSource(store.db, { chunkSize: 7 }).openSnapshot();
    try {
      const groupKeys: string[] = [];
      for await (const group of snapshot.groups()) groupKeys.push(group.key);
      expect(groupKeys).toEqual(groups.map((group) => group.key));
      let index = 0;
      for await (const membership of snapshot.memberships()) {
        expect(membership).toEqual(memberships[index]);
        index += 1;
        if (index === 3_000) break;
      }
      let personCount = 0;
      for await (const person of snapshot.persons()) {
        if (personCount < 500) expect(person).toEqual(persons[personCount]);
        personCount += 1;
        if (personCount === 1_000) break;
      }
      expect(personCount).toBe(1_000);
    } finally {
      await snapshot.close();
    }
  });

  it('hands groups and memberships (and, by COPY, persons) over in batches as read, holding exactly the stream’s objects in order', async () => {
    // Keyset pages of 7 (a membership run cut by a page end waits for the next one), or COPY chunks.
    const config = store.driver === undefined ? { chunkSize: 7 } : {};
    const snapshot = await createRecordsDbSource(
      store.db,
      { source: 'syntetfjord', ...config },
      store.driver,
    ).openSnapshot();
    try {
      const batchesOf = async <T>(stream: AsyncIterable<T>): Promise<(readonly T[])[]> => {
        if (!('batches' in stream) || typeof stream.batches !== 'function')
          throw new Error('the stream comes item by item only');
        return collect((stream as BatchedStream<T>).batches());
      };
      const groupBatches = await batchesOf(snapshot.groups());
      const membershipBatches = await batchesOf(snapshot.memberships());
      expect(JSON.stringify(groupBatches.flat())).toBe(JSON.stringify(groups));
      expect(JSON.stringify(membershipBatches.flat())).toBe(JSON.stringify(memberships));
      // Batches as read, never the whole stream at once.
      expect(membershipBatches.length).toBeGreaterThan(1);
      if (store.driver !== undefined) {
        // Read by COPY, the persons too: those of one chunk of the person stream at a time.
        const personBatches = await batchesOf(snapshot.persons());
        expect(JSON.stringify(personBatches.flat())).toBe(JSON.stringify(persons));
        expect(personBatches.length).toBeGreaterThan(1);
      }
      if (store.driver === undefined) {
        expect(Math.max(...groupBatches.map((batch) => batch.length))).toBe(7);
        expect(Math.max(...membershipBatches.map((batch) => batch.length))).toBeLessThanOrEqual(7 + 7);
      }
    } finally {
      await snapshot.close();
    }
  });

  it('stops the streams and releases the snapshot when the signal aborts', async () => {
    const controller = new AbortController();
    const snapshot = await createRecordsDbSource(store.db, { chunkSize: 50 }, store.driver).openSnapshot({
      signal: controller.signal,
    });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const person of snapshot.persons()) {
        seen.push(person.key);
        if (seen.length === 60) controller.abort();
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(persons.length);
    await snapshot.close();
    await snapshot.close();
    // On PGlite the one connection is free again only if the snapshot was released.
    const again = await createRecordsDbSource(store.db, {}, store.driver).openSnapshot();
    await again.close();
  });
});
