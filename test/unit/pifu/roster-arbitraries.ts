import fc from 'fast-check';
import {
  groupTypes,
  membershipRoles,
  personIdentifierTypes,
  type ChangeKind,
  type Group,
  type Membership,
  type MembershipRole,
  type Person,
  type Timeframe,
} from '../../../src/model/index.js';
import { toFeedPerson, type FeedEntry, type FeedInput } from '../../../src/pifu/index.js';
import { entriesOf, source } from './feed-fixture.js';

/** Characters that break naive writers: markup, quotes, controls, lone surrogates, astral, Norwegian. */
const hostileChars = [
  '&',
  '<',
  '>',
  '"',
  "'",
  '\u0001',
  '\u001F',
  '\t',
  '\n',
  '\r',
  '\uFFFE',
  '\uD800',
  '\uDC00',
];
const friendlyChars = ['a', 'Z', ' ', 'æ', 'ø', 'å', 'Æ', 'Ø', 'Å', '😀', '👍🏽', 'é', '-', '.'];

/**
 * Any code point, lone surrogates included, drawn as fast-check's `'binary'` unit draws it (a biased
 * integer index). Not `fc.string({ unit: 'binary' })` itself: building one first maps all 1.1 million code
 * points backwards to find its built-in tricky strings, seconds of work in every test file that uses it;
 * those strings are `objectKeyNames` below.
 */
const anyCodePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .map((codePoint) => String.fromCodePoint(codePoint));

/** Names that trip code which keeps values in plain objects (fast-check's own list of tricky strings). */
const objectKeyNames = [
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  'apply',
  'arguments',
  'bind',
  'call',
  'caller',
  'length',
  'name',
  'prototype',
  'key',
  'ref',
];

function hostileText(options: { maxLength: number; withCarriageReturn?: boolean }): fc.Arbitrary<string> {
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom(...hostileChars, ...friendlyChars), maxLength: options.maxLength }),
    fc.string({ unit: anyCodePoint, maxLength: options.maxLength }),
    fc.constantFrom("O'Brien", 'Ødegård-Åsen', 'Tom & Jerry'),
    fc.constantFrom(...objectKeyNames),
  );
  return options.withCarriageReturn === false ? text.map((value) => value.replace(/\r/g, '')) : text;
}

const key = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/);
const date = fc
  .integer({ min: 0, max: 30000 })
  .map((days) => new Date(Date.UTC(1950, 0, 1 + days)).toISOString().slice(0, 10));
const timeframe: fc.Arbitrary<Timeframe> = fc.record(
  { begin: date, end: date, adminPeriod: fc.constantFrom('2024', '2024/2025', 'H2024', 'V2025') },
  { requiredKeys: [] },
);
const email = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9._%+&'-]{1,20}$/),
    fc.stringMatching(/^[a-zæøå0-9-]{1,20}$/),
    fc.constantFrom('no', 'com'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

export interface ArbitraryOptions {
  readonly withCarriageReturn?: boolean;
}

function personArbitrary(options: ArbitraryOptions = {}): fc.Arbitrary<Person> {
  const text = (maxLength: number): fc.Arbitrary<string> =>
    hostileText({
      maxLength,
      ...(options.withCarriageReturn === undefined ? {} : { withCarriageReturn: options.withCarriageReturn }),
    });
  return fc.record(
    {
      key,
      populations: fc.constant(['pupil' as const]),
      name: fc.record(
        { given: text(80), middle: text(40), family: text(80) },
        { requiredKeys: ['given', 'family'] },
      ),
      birthDate: date,
      gender: fc.constantFrom('unknown' as const, 'female' as const, 'male' as const),
      status: fc.constantFrom('active' as const, 'inactive' as const),
      addressProtection: fc.constant('none' as const),
      identifiers: fc.array(fc.record({ type: fc.constantFrom(...personIdentifierTypes), value: text(40) }), {
        maxLength: 3,
      }),
      emails: fc.array(
        fc.record({
          kind: fc.constantFrom('private' as const, 'org' as const),
          address: email,
          priority: fc.integer({ min: 0, max: 99 }),
        }),
        { maxLength: 3 },
      ),
      phones: fc.array(
        fc.record({
          kind: fc.constantFrom(
            'private' as const,
            'mobilePrivate' as const,
            'org' as const,
            'mobileOrg' as const,
          ),
          number: fc.stringMatching(/^\+[0-9]{1,15}$/),
          priority: fc.integer({ min: 0, max: 99 }),
        }),
        { maxLength: 3 },
      ),
      addresses: fc.array(
        fc.record(
          {
            kind: fc.constantFrom('registered' as const, 'postal' as const),
            street: fc.array(text(60), { maxLength: 3 }),
            postalCode: fc.stringMatching(/^[0-9]{4}$/),
            locality: text(30),
            country: fc.constantFrom('NO', 'SE'),
          },
          { requiredKeys: ['kind', 'street'] },
        ),
        { maxLength: 2 },
      ),
      preferredLanguage: fc.constantFrom('nb', 'nn', 'se'),
      guardians: fc.array(
        fc.record({
          guardianKey: key,
          hasParentalResponsibility: fc.boolean(),
          parentAccessConsent: fc.boolean(),
        }),
        { maxLength: 2 },
      ),
      affiliations: fc.constant([]),
    },
    {
      requiredKeys: [
        'key',
        'populations',
        'name',
        'status',
        'addressProtection',
        'identifiers',
        'emails',
        'phones',
        'addresses',
        'guardians',
        'affiliations',
      ],
    },
  );
}

const orgUnitKeys = ['g-owner', 'g-school-1', 'g-school-2'];

function groupArbitrary(options: ArbitraryOptions = {}): fc.Arbitrary<Group> {
  const text = (maxLength: number): fc.Arbitrary<string> =>
    hostileText({
      maxLength,
      ...(options.withCarriageReturn === undefined ? {} : { withCarriageReturn: options.withCarriageReturn }),
    });
  return fc
    .record(
      {
        key,
        type: fc.constantFrom(...groupTypes.filter((type) => type !== 'skoleeier' && type !== 'skole')),
        parentKey: fc.constantFrom('g-school-1', 'g-school-2'),
        shortName: text(70),
        longName: text(270),
        timeframe,
        identifiers: fc.array(
          fc.record({
            type: fc.constantFrom('grepCode' as const, 'nsrId' as const, 'organizationNumber' as const),
            value: text(30),
          }),
          { maxLength: 2 },
        ),
        schoolTypes: fc.subarray(['barneskole' as const, 'sfo' as const]),
      },
      { requiredKeys: ['key', 'type', 'parentKey', 'shortName', 'identifiers', 'schoolTypes'] },
    )
    .map((group) => ({ ...group, schoolKey: group.parentKey }));
}

const subroleFor: Readonly<Record<MembershipRole, readonly string[]>> = {
  pupil: ['E', 'K'],
  teacher: ['faglærer', 'vikar'],
  contentDeveloper: [],
  other: ['rådgiver'],
  management: ['rektor', 'inspektør'],
  contactTeacher: [],
  administrator: ['iktansvarlig'],
  assistant: [],
};

const membershipArbitrary: fc.Arbitrary<Membership> = fc
  .record({
    groupKey: key,
    personKey: key,
    role: fc.constantFrom(...membershipRoles),
    subroleIndex: fc.option(fc.nat(), { nil: undefined }),
    isActive: fc.boolean(),
    isPrimary: fc.boolean(),
    timeframe: fc.option(timeframe, { nil: undefined }),
  })
  .map(({ subroleIndex, timeframe: membershipTimeframe, ...membership }) => {
    const subroles = subroleFor[membership.role];
    const subrole =
      subroleIndex === undefined || subroles.length === 0
        ? undefined
        : subroles[subroleIndex % subroles.length];
    return {
      ...membership,
      ...(subrole === undefined ? {} : { subrole }),
      ...(membershipTimeframe === undefined ? {} : { timeframe: membershipTimeframe }),
    };
  });

/** Canonical order (Roster): by groupKey, personKey, role; one record per (group, person, role). */
function sortMemberships(memberships: readonly Membership[]): Membership[] {
  const seen = new Set<string>();
  return [...memberships]
    .sort((a, b) =>
      a.groupKey !== b.groupKey
        ? a.groupKey < b.groupKey
          ? -1
          : 1
        : a.personKey !== b.personKey
          ? a.personKey < b.personKey
            ? -1
            : 1
          : a.role < b.role
            ? -1
            : a.role > b.role
              ? 1
              : 0,
    )
    .filter((membership) => {
      const id = `${membership.groupKey}\u0000${membership.personKey}\u0000${membership.role}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

export interface RosterSample {
  readonly feedType: 'full' | 'delta';
  readonly persons: FeedEntry<Person>[];
  readonly groups: FeedEntry<Group>[];
  readonly memberships: FeedEntry<Membership>[];
  readonly orgUnits: ReadonlyMap<string, string>;
}

const change = fc.constantFrom<ChangeKind>('add', 'change', 'delete');

export function rosterArbitrary(
  feedType: 'full' | 'delta',
  options: ArbitraryOptions = {},
): fc.Arbitrary<RosterSample> {
  const entry = <T>(object: fc.Arbitrary<T>): fc.Arbitrary<FeedEntry<T>> =>
    feedType === 'delta' ? fc.record({ object, change }) : fc.record({ object });
  return fc
    .record({
      persons: fc.array(entry(personArbitrary(options)), { maxLength: 4 }),
      groups: fc.array(entry(groupArbitrary(options)), { maxLength: 4 }),
      memberships: fc.array(entry(membershipArbitrary), { maxLength: 8 }),
      orgUnitNames: fc.array(
        hostileText({ maxLength: 140, withCarriageReturn: options.withCarriageReturn ?? true }),
        {
          minLength: 3,
          maxLength: 3,
        },
      ),
    })
    .map(({ persons, groups, memberships, orgUnitNames }) => {
      const byObject = new Map(
        memberships.map((membershipEntry) => [membershipEntry.object, membershipEntry]),
      );
      return {
        feedType,
        persons,
        groups,
        memberships: sortMemberships(memberships.map((membershipEntry) => membershipEntry.object)).map(
          (membership) => byObject.get(membership) ?? { object: membership },
        ),
        orgUnits: new Map(orgUnitKeys.map((orgKey, index) => [orgKey, orgUnitNames[index] ?? ''])),
      };
    });
}

export function inputOf(sample: RosterSample): FeedInput {
  return {
    properties: { source, snapshotAt: '2024-08-15T02:00:00.000Z' },
    feedType: sample.feedType,
    orgUnits: sample.orgUnits,
    persons: entriesOf(sample.persons.map((entry) => ({ ...entry, object: toFeedPerson(entry.object) }))),
    groups: entriesOf(sample.groups),
    memberships: entriesOf(sample.memberships),
  };
}
