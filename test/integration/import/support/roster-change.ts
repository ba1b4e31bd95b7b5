import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import {
  compareKeys,
  membershipRoles,
  type Group,
  type Membership,
  type PersonIdentifierType,
} from '../../../../src/model/index.js';
import { renderFeed, type FeedEntry, type FeedPerson } from '../../../../src/pifu/index.js';

/** What a school system's export holds, as the hub's writer takes it: ids are the system's. */
export interface ExportRoster {
  readonly persons: readonly FeedPerson[];
  readonly groups: readonly Group[];
  readonly memberships: readonly Membership[];
}

const text = fc.stringMatching(/^[A-Za-zæøå][A-Za-zÆØÅæøåé&<>'" -]{0,11}$/);
const validNins = ['08908200064', '28837000078'];
const identifierTypes: PersonIdentifierType[] = ['lin', 'studentId', 'username', 'feideId'];
const isoDate = fc
  .date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const schoolKeys = ['001', '002'];
const classKeys = schoolKeys.flatMap((school) => [`${school}-1A`, `${school}-1B`]);
/** One teacher per school in both exports, so no school loses every person (the source guard's rule). */
const anchors = schoolKeys.map((_school, index) => `ffffffff-ffff-4fff-bfff-fffffffffff${index}`);

const roleIndex = (role: Membership['role']) => membershipRoles.indexOf(role);
export const byMembership = (a: Membership, b: Membership) =>
  compareKeys(a.groupKey, b.groupKey) ||
  compareKeys(a.personKey, b.personKey) ||
  roleIndex(a.role) - roleIndex(b.role);
const byKey = <T extends { key: string }>(a: T, b: T) => compareKeys(a.key, b.key);
const membershipId = (m: Membership) => `${m.groupKey}/${m.personKey}/${m.role}`;

function person(key: string, guardians: readonly string[]) {
  return fc
    .record({
      name: fc.record({ given: text, family: text }),
      birthDate: isoDate,
      gender: fc.constantFrom('unknown' as const, 'female' as const, 'male' as const),
      status: fc.constantFrom('active' as const, 'inactive' as const),
      nin: fc.option(fc.constantFrom(...validNins), { nil: undefined }),
      identifiers: fc.uniqueArray(
        fc.record({ type: fc.constantFrom(...identifierTypes), value: fc.stringMatching(/^[0-9a-z]{1,8}$/) }),
        { maxLength: 2, selector: (identifier) => identifier.type },
      ),
      email: fc.option(fc.stringMatching(/^[a-z]{1,6}@[a-z]{1,6}\.no$/), { nil: undefined }),
      guardianKeys: fc.uniqueArray(fc.constantFrom(...guardians), { maxLength: 2 }),
    })
    .map(({ nin, identifiers, email, guardianKeys, ...rest }): FeedPerson => ({
      ...rest,
      key,
      identifiers: [...identifiers, ...(nin === undefined ? [] : [{ type: 'nin' as const, value: nin }])],
      emails: email === undefined ? [] : [{ kind: 'org', address: email, priority: 1 }],
      phones: [],
      addresses: [],
      guardianKeys: guardianKeys.filter((guardian) => guardian !== key),
    }));
}

function groups(classes: readonly { key: string; present: boolean; name: string }[]): Group[] {
  const owner: Group = {
    key: 'k',
    type: 'skoleeier',
    parentKey: 'k',
    shortName: 'Kommune',
    identifiers: [],
    schoolTypes: [],
  };
  const schools: Group[] = schoolKeys.map((key) => ({
    key,
    type: 'skole',
    parentKey: 'k',
    schoolKey: key,
    shortName: `Skole ${key}`,
    identifiers: [],
    schoolTypes: [],
  }));
  const kept: Group[] = classes
    .filter((each) => each.present)
    .map(({ key, name }) => ({
      key,
      type: 'basisgruppe',
      parentKey: key.slice(0, 3),
      schoolKey: key.slice(0, 3),
      shortName: name,
      identifiers: [],
      schoolTypes: [],
    }));
  return [owner, ...schools, ...kept].sort(byKey);
}

/**
 * Two exports of one school system, A and B = A changed: persons come, go and change (names, ids,
 * guardian links, also to persons not exported), classes come, go and are renamed, memberships come,
 * go and change. Every membership in an export refers to a person and a group in it, as a strict import
 * requires; guardian links may name anyone, as real exports do (a link to a person not exported is a
dangling reference, which delta.property.test.ts tolerates).
 */
export const rosterChangeArbitrary = fc
  .uniqueArray(fc.uuid({ version: 4 }), { minLength: 1, maxLength: 7 })
  .chain((keys) => {
    const everyone = [...anchors, ...keys];
    const side = (key: string) =>
      fc.record({
        inA: fc.boolean(),
        inB: fc.boolean(),
        a: person(key, everyone),
        b: person(key, everyone),
        same: fc.boolean(),
      });
    const groupSide = (key: string) =>
      fc.record({
        key: fc.constant(key),
        inA: fc.boolean(),
        inB: fc.boolean(),
        nameA: text,
        nameB: text,
        same: fc.boolean(),
      });
    const membership = fc.record({
      groupKey: fc.constantFrom(...schoolKeys, ...classKeys),
      personKey: fc.constantFrom(...keys),
      role: fc.constantFrom(...membershipRoles),
    });
    const attributes = fc.record({
      isActive: fc.boolean(),
      isPrimary: fc.boolean(),
      timeframe: fc.option(fc.record({ begin: isoDate }), { nil: undefined }),
    });
    return fc.record({
      persons: fc.tuple(...keys.map(side)),
      anchors: fc.tuple(...anchors.map((key) => person(key, everyone))),
      classes: fc.tuple(...classKeys.map(groupSide)),
      memberships: fc.uniqueArray(
        fc.record({
          id: membership,
          inA: fc.boolean(),
          inB: fc.boolean(),
          a: attributes,
          b: attributes,
          same: fc.boolean(),
        }),
        { maxLength: 12, selector: (m) => `${m.id.groupKey}/${m.id.personKey}/${m.id.role}` },
      ),
    });
  })
  .map((sample): { a: ExportRoster; b: ExportRoster } => {
    const build = (which: 'a' | 'b'): ExportRoster => {
      const inIt = (item: { inA: boolean; inB: boolean }) => (which === 'a' ? item.inA : item.inB);
      const pick = <T>(item: { a: T; b: T; same: boolean }) => (which === 'a' || item.same ? item.a : item.b);
      const persons = [...sample.anchors, ...sample.persons.filter(inIt).map(pick)].sort(byKey);
      const groupList = groups(
        sample.classes.map((each) => ({
          key: each.key,
          present: inIt(each),
          name: which === 'a' || each.same ? each.nameA : each.nameB,
        })),
      );
      const personKeys = new Set(persons.map((each) => each.key));
      const groupKeys = new Set(groupList.map((each) => each.key));
      const memberships: Membership[] = [
        ...anchors.map((key, index): Membership => ({
          groupKey: schoolKeys[index]!,
          personKey: key,
          role: 'teacher',
          isActive: true,
          isPrimary: true,
        })),
        ...sample.memberships.filter(inIt).map(({ id, ...sides }) => {
          const { timeframe, ...rest } = pick(sides);
          return { ...id, ...rest, ...(timeframe === undefined ? {} : { timeframe }) };
        }),
      ].filter((m) => personKeys.has(m.personKey) && groupKeys.has(m.groupKey));
      return { persons, groups: groupList, memberships: memberships.sort(byMembership) };
    };
    return { a: build('a'), b: build('b') };
  });

/** A's and B's objects with recstatus: added, changed (compared as written) or deleted, in canonical order. */
function changed<T>(
  a: readonly T[],
  b: readonly T[],
  id: (item: T) => string,
  order: (x: T, y: T) => number,
) {
  const before = new Map(a.map((item) => [id(item), item]));
  const after = new Map(b.map((item) => [id(item), item]));
  const entries: FeedEntry<T>[] = [];
  for (const [key, item] of after) {
    const old = before.get(key);
    if (old === undefined) entries.push({ object: item, change: 'add' });
    else if (JSON.stringify(old) !== JSON.stringify(item)) entries.push({ object: item, change: 'change' });
  }
  for (const [key, item] of before) if (!after.has(key)) entries.push({ object: item, change: 'delete' });
  return entries.sort((x, y) => order(x.object, y.object));
}

async function render(fragments: AsyncIterable<string>): Promise<string> {
  let xml = '';
  for await (const fragment of fragments) xml += fragment;
  return xml;
}

async function* each<T>(items: readonly FeedEntry<T>[]) {
  yield* items;
}

const orgUnits = (rosters: readonly ExportRoster[]) =>
  new Map(
    rosters.flatMap((r) => r.groups.filter((g) => g.type !== 'basisgruppe').map((g) => [g.key, g.shortName])),
  );

/** A full export of `roster` made at `datetime`, as the system `sas` writes it. */
/** When the school system exported A (a full) and then B (a full, or the delta from A). */
export const exportedA = '2024-08-15T02:00:00.000Z';
export const exportedB = '2024-08-16T02:00:00.000Z';

export function fullExport(roster: ExportRoster, datetime: string): Promise<string> {
  const plain = <T>(items: readonly T[]) => each(items.map((object) => ({ object })));
  return render(
    renderFeed({
      properties: { source: 'sas', snapshotAt: datetime },
      feedType: 'full',
      orgUnits: orgUnits([roster]),
      persons: plain(roster.persons),
      groups: plain(roster.groups),
      memberships: plain(roster.memberships),
    }),
  );
}

/** The delta export from A to B made at `datetime`: what changed, with recstatus 1, 2 or 3. */
export function deltaExport(a: ExportRoster, b: ExportRoster, datetime: string): Promise<string> {
  return deltaFile(
    {
      persons: changed(a.persons, b.persons, (p) => p.key, byKey),
      groups: changed(a.groups, b.groups, (g) => g.key, byKey),
      memberships: changed(a.memberships, b.memberships, membershipId, byMembership),
    },
    datetime,
    [a, b],
  );
}

/** A delta export of the entries given (each with its recstatus), in the order given. */
export function deltaFile(
  entries: {
    readonly persons?: readonly FeedEntry<FeedPerson>[];
    readonly groups?: readonly FeedEntry<Group>[];
    readonly memberships?: readonly FeedEntry<Membership>[];
  },
  datetime: string,
  rosters: readonly ExportRoster[],
): Promise<string> {
  return render(
    renderFeed({
      properties: { source: 'sas', snapshotAt: datetime },
      feedType: 'delta',
      orgUnits: orgUnits(rosters),
      persons: each(entries.persons ?? []),
      groups: each(entries.groups ?? []),
      memberships: each(entries.memberships ?? []),
    }),
  );
}

/** Tables that hold what imports and runs leave; the hub's secrets stay, so keys and pseudonyms repeat. */
const runTables = [
  'run',
  'feed',
  'transfer',
  'disclosure',
  'disclosure_span',
  'disclosure_reconfirmation',
  'disclosure_summary',
  'delivered_object',
  'recipient_state',
  'hold',
  'audit',
  'source_identity',
  'import_base',
  'notification',
];

/** The hub as before any import: no runs, no delivered state, no hub keys, no import to apply a delta to. */
export async function forgetImports(db: Kysely<unknown>): Promise<void> {
  const tables = runTables.map((table) => sql.table(`hub.${table}`));
  await sql`TRUNCATE ${sql.join(tables)}`.execute(db);
}
