import fc from 'fast-check';
import {
  compareKeys,
  membershipRoles,
  personIdentifierTypes,
  type Affiliation,
  type Group,
  type GroupType,
  type Membership,
  type Person,
  type Population,
  type Roster,
} from '../../../src/model/index.js';
import {
  fieldKeys,
  guardianPolicies,
  idTypeNames,
  kindDefaults,
  orgIdTypeNames,
  profileGroupTypes,
  recipientKinds,
  resolveProfile,
  roletypeCodes,
  type Profile,
  type ProfileOverride,
  type ProfileSettings,
  type RecipientKind,
} from '../../../src/profiles/index.js';

/** The day every scope rule is judged on (the roster's snapshot date). */
export const snapshotDay = '2025-03-01';

/**
 * Values from the source's name, NIN and contact columns are drawn from patterns that cannot occur in
 * markup, group names or pseudonyms, so "this value appears in the feed" is never a coincidence.
 */
const nameValue = fc.stringMatching(/^Q[a-zæøå]{6,9}$/);
const ninValue = fc.stringMatching(/^9[0-9]{10}$/);
const otherIdValue = fc.stringMatching(/^id[a-z0-9]{6}$/);
const emailValue = fc
  .tuple(fc.stringMatching(/^[a-z]{5,8}$/), fc.constantFrom('mail', 'skole'))
  .map(([local, domain]) => `zq${local}@${domain}.example.org`);
const phoneValue = fc.stringMatching(/^\+4779[0-9]{6}$/);
const streetValue = fc.stringMatching(/^Xstreet[a-z]{5,8} [0-9]{1,3}$/);
const day = fc
  .integer({ min: 0, max: 365 * 30 })
  .map((days) => new Date(Date.UTC(2000, 0, 1 + days)).toISOString().slice(0, 10));
/** Around the snapshot day, so begin/end land on both sides of it. */
const nearDay = fc
  .integer({ min: -400, max: 400 })
  .map((days) =>
    new Date(Date.parse(`${snapshotDay}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10),
  );

export interface RosterArrays {
  readonly persons: Person[];
  readonly groups: Group[];
  readonly memberships: Membership[];
}

const schools = [
  { key: 's1', organizationNumber: '911111111', nsrId: 'NSR1' },
  { key: 's2', organizationNumber: '922222222', nsrId: 'NSR2' },
  { key: 's3', organizationNumber: '933333333', nsrId: 'NSR3' },
];
const schoolSelectors = schools.flatMap((school) => [school.organizationNumber, school.nsrId]);

function orgGroups(): Group[] {
  return [
    {
      key: 'o',
      type: 'skoleeier',
      parentKey: 'o',
      shortName: 'Owner',
      identifiers: [
        { type: 'countyNumber', value: '03' },
        { type: 'municipalityNumber', value: '0301' },
        { type: 'organizationNumber', value: '900000000' },
      ],
      schoolTypes: [],
    },
    ...schools.map((school): Group => ({
      key: school.key,
      type: 'skole',
      parentKey: 'o',
      schoolKey: school.key,
      shortName: `School ${school.key}`,
      identifiers: [
        { type: 'nsrId', value: school.nsrId },
        { type: 'organizationNumber', value: school.organizationNumber },
      ],
      schoolTypes: ['barneskole'],
    })),
  ];
}

const groupArbitrary = (index: number): fc.Arbitrary<Group> =>
  fc
    .record({
      type: fc.constantFrom(
        ...(profileGroupTypes.filter((t) => t !== 'skoleeier' && t !== 'skole') as GroupType[]),
        'språkopplæring' as GroupType,
      ),
      school: fc.constantFrom(...schools.map((school) => school.key)),
      level: fc.option(fc.integer({ min: 1, max: 13 }), { nil: undefined }),
      begin: nearDay,
      end: fc.option(nearDay, { nil: undefined }),
    })
    .map(({ type, school, level, begin, end }) => ({
      key: `g${String(index).padStart(2, '0')}`,
      type,
      parentKey: school,
      schoolKey: school,
      shortName: `Group ${index}`,
      timeframe: { begin, ...(end === undefined ? {} : { end }) },
      identifiers: [],
      schoolTypes: [],
      ...(level === undefined ? {} : { level }),
    }));

const affiliationArbitrary = (population: 'pupil' | 'staff'): fc.Arbitrary<Affiliation> =>
  fc
    .record({
      schoolKey: fc.constantFrom(...schools.map((school) => school.key)),
      level: fc.integer({ min: 1, max: 13 }),
      transportRight: fc.boolean(),
      begin: nearDay,
      end: fc.option(nearDay, { nil: undefined }),
    })
    .map(({ schoolKey, level, transportRight, begin, end }) => ({
      schoolKey,
      population,
      ...(population === 'pupil' ? { level, transportRight } : {}),
      begin,
      ...(end === undefined ? {} : { end }),
    }));

const personArbitrary = (index: number, personCount: number): fc.Arbitrary<Person> =>
  fc
    .record({
      pupil: fc.boolean(),
      staff: fc.boolean(),
      guardian: fc.boolean(),
      pupilAffiliations: fc.array(affiliationArbitrary('pupil'), { maxLength: 2 }),
      staffAffiliations: fc.array(affiliationArbitrary('staff'), { maxLength: 2 }),
      given: nameValue,
      middle: fc.option(nameValue, { nil: undefined }),
      family: nameValue,
      birthDate: fc.option(fc.oneof(day, fc.constantFrom('2007-03-01', '2007-03-02')), { nil: undefined }),
      gender: fc.option(fc.constantFrom('unknown' as const, 'female' as const, 'male' as const), {
        nil: undefined,
      }),
      status: fc.constantFrom('active' as const, 'active' as const, 'inactive' as const),
      addressProtection: fc.constantFrom(
        'none' as const,
        'none' as const,
        'none' as const,
        'confidential' as const,
        'strictlyConfidential' as const,
      ),
      identifiers: fc.uniqueArray(fc.constantFrom(...personIdentifierTypes), { maxLength: 5 }),
      nin: ninValue,
      otherId: otherIdValue,
      emails: fc.array(
        fc.record({ kind: fc.constantFrom('private' as const, 'org' as const), address: emailValue }),
        {
          maxLength: 2,
        },
      ),
      phones: fc.array(
        fc.record({
          kind: fc.constantFrom(
            'private' as const,
            'mobilePrivate' as const,
            'org' as const,
            'mobileOrg' as const,
          ),
          number: phoneValue,
        }),
        { maxLength: 2 },
      ),
      addresses: fc.array(
        fc.record({ kind: fc.constantFrom('registered' as const, 'postal' as const), street: streetValue }),
        {
          maxLength: 2,
        },
      ),
      language: fc.option(fc.constantFrom('nb', 'nn'), { nil: undefined }),
      guardians: fc.uniqueArray(
        fc.record({
          guardianIndex: fc.integer({ min: 0, max: Math.max(0, personCount - 1) }),
          hasParentalResponsibility: fc.boolean(),
          parentAccessConsent: fc.boolean(),
        }),
        { maxLength: 2, selector: (link) => link.guardianIndex },
      ),
    })
    .map((drawn): Person => {
      const populations: Population[] = [];
      if (drawn.guardian) populations.push('guardian');
      if (drawn.pupil) populations.push('pupil');
      if (drawn.staff) populations.push('staff');
      const affiliations = [
        ...(drawn.pupil ? drawn.pupilAffiliations : []),
        ...(drawn.staff ? drawn.staffAffiliations : []),
      ];
      return {
        key: personKey(index, personCount),
        populations,
        name: {
          given: drawn.given,
          family: drawn.family,
          ...(drawn.middle === undefined ? {} : { middle: drawn.middle }),
        },
        ...(drawn.birthDate === undefined ? {} : { birthDate: drawn.birthDate }),
        ...(drawn.gender === undefined ? {} : { gender: drawn.gender }),
        status: drawn.status,
        addressProtection: drawn.addressProtection,
        identifiers: drawn.identifiers.map((type) => ({
          type,
          value: type === 'nin' ? drawn.nin : `${drawn.otherId}${type}`,
        })),
        emails: drawn.emails.map((email, priority) => ({ ...email, priority: priority + 1 })),
        phones: drawn.phones.map((phone, priority) => ({ ...phone, priority: priority + 1 })),
        addresses: drawn.addresses.map((address) => ({
          kind: address.kind,
          street: [address.street],
          postalCode: '0150',
          country: 'NO',
        })),
        ...(drawn.language === undefined ? {} : { preferredLanguage: drawn.language }),
        guardians: drawn.pupil
          ? drawn.guardians
              .filter((link) => link.guardianIndex !== index)
              .map((link) => ({
                guardianKey: personKey(link.guardianIndex, personCount),
                hasParentalResponsibility: link.hasParentalResponsibility,
                parentAccessConsent: link.parentAccessConsent,
              }))
              .sort((a, b) => compareKeys(a.guardianKey, b.guardianKey))
          : [],
        affiliations,
      };
    });

/**
 * A person's key: a uuid in a roster of an even number of persons (the hub's keys; a view's settled
 * pass is then packed, PackedKeyMap), else short text (a pass of other keys stays a Map). Either way
 * in the order of the persons' indexes.
 */
const personKey = (index: number, personCount: number): string =>
  personCount % 2 === 0
    ? `${Math.floor(index / 3)
        .toString(16)
        .padStart(8, '0')}-0000-4000-8000-${String(index).padStart(12, '0')}`
    : `p${String(index).padStart(3, '0')}`;

/**
 * A small, coherent roster: one owner, three schools, groups of every type (the deny-listed one too),
 * persons in every combination of populations, protection levels, ages and affiliations, guardian links
 * with every flag, memberships of every role. Guardian links may point at a person who is not a guardian
 * population, which the view must not follow.
 */
export function rosterArrays(): fc.Arbitrary<RosterArrays> {
  return fc
    .record({ personCount: fc.integer({ min: 1, max: 14 }), groupCount: fc.integer({ min: 0, max: 8 }) })
    .chain(({ personCount, groupCount }) =>
      fc.record({
        persons: fc.tuple(
          ...Array.from({ length: personCount }, (_, index) => personArbitrary(index, personCount)),
        ),
        groups: fc.tuple(...Array.from({ length: groupCount }, (_, index) => groupArbitrary(index))),
        memberships: fc.uniqueArray(
          fc.record({
            groupIndex: fc.integer({ min: 0, max: groupCount + 2 }),
            personIndex: fc.integer({ min: 0, max: personCount - 1 }),
            role: fc.constantFrom(...membershipRoles),
            isActive: fc.boolean(),
            end: fc.option(nearDay, { nil: undefined }),
          }),
          {
            maxLength: 24,
            selector: (membership) => `${membership.groupIndex}/${membership.personIndex}/${membership.role}`,
          },
        ),
      }),
    )
    .map(({ persons, groups, memberships }) => {
      const allGroups = [...orgGroups(), ...groups].sort((a, b) => compareKeys(a.key, b.key));
      const groupKeys = [...schools.map((school) => school.key), ...groups.map((group) => group.key)];
      return {
        persons: [...persons].sort((a, b) => compareKeys(a.key, b.key)),
        groups: allGroups,
        memberships: memberships
          .map((membership): Membership => ({
            groupKey: groupKeys[membership.groupIndex % groupKeys.length] ?? 's1',
            personKey: personKey(membership.personIndex, persons.length),
            role: membership.role,
            isActive: membership.isActive,
            isPrimary: false,
            ...(membership.end === undefined ? {} : { timeframe: { end: membership.end } }),
          }))
          .sort(
            (a, b) =>
              compareKeys(a.groupKey, b.groupKey) ||
              compareKeys(a.personKey, b.personKey) ||
              membershipRoles.indexOf(a.role) - membershipRoles.indexOf(b.role),
          ),
      };
    });
}

export function rosterOf(arrays: RosterArrays): Roster {
  async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
    yield* items;
  }
  return {
    properties: { source: 'sas@test.example.org', snapshotAt: `${snapshotDay}T02:00:00Z` },
    persons: () => each(arrays.persons),
    groups: () => each(arrays.groups),
    memberships: () => each(arrays.memberships),
  };
}

const subsetOf = <T>(values: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...values]);

/**
 * A valid recipient profile: a kind's default narrowed at random, sometimes widened by an override
 * (which is what a config may do), resolved exactly as a config file is.
 */
export function profileArbitrary(): fc.Arbitrary<{ kind: RecipientKind; profile: Profile }> {
  return fc
    .constantFrom(...recipientKinds)
    .chain((kind) => {
      const defaults = kindDefaults[kind];
      const narrowing: fc.Arbitrary<ProfileSettings> = fc.record(
        {
          schools: fc.oneof(fc.constant('all' as const), fc.subarray(schoolSelectors, { minLength: 1 })),
          populations: subsetOf(defaults.populations),
          groupTypes: subsetOf(defaults.groupTypes),
          roletypes: subsetOf(defaults.roletypes),
          levels: fc.oneof(fc.constant('all' as const), fc.subarray([1, 2, 5, 8, 10, 11, 13])),
          dateWindow: fc.record({ from: nearDay, to: nearDay }, { requiredKeys: [] }),
          fields: subsetOf(defaults.fields).map((fields) =>
            fields.includes('name') ? fields : ['name' as const, ...fields],
          ),
          staffFields: subsetOf(defaults.staffFields).map((fields) =>
            fields.includes('name') ? fields : ['name' as const, ...fields],
          ),
          guardianFields: subsetOf(defaults.guardianFields).map((fields) =>
            fields.includes('name') ? fields : ['name' as const, ...fields],
          ),
          idTypes: subsetOf(defaults.idTypes),
          staffIdTypes: subsetOf(defaults.staffIdTypes),
          guardianIdTypes: subsetOf(defaults.guardianIdTypes),
          orgIdTypes: subsetOf(defaults.orgIdTypes),
          guardians: fc.constantFrom(
            ...guardianPolicies.slice(0, guardianPolicies.indexOf(defaults.guardians) + 1),
          ),
          activeOnly: fc.constant(true),
          pseudonymise: fc.boolean(),
        },
        { requiredKeys: [] },
      );
      const override: fc.Arbitrary<ProfileOverride | undefined> = fc.option(
        fc.record(
          {
            fields: subsetOf(fieldKeys),
            staffIdTypes: subsetOf(idTypeNames),
            groupTypes: subsetOf(profileGroupTypes),
            orgIdTypes: subsetOf(orgIdTypeNames),
            roletypes: subsetOf(roletypeCodes),
            strictlyConfidential: fc.constant('include' as const),
            activeOnly: fc.constant(false),
            reason: fc.constant('A written reason for the widening in this test'),
          },
          { requiredKeys: ['reason'] },
        ),
        { nil: undefined },
      );
      return fc.tuple(fc.constant(kind), narrowing, override);
    })
    .map(([kind, narrowing, override]) => {
      // A pseudonymised recipient gets no guardians (coherence rule); the generator respects it.
      const settings =
        narrowing.pseudonymise === true ? { ...narrowing, guardians: 'none' as const } : narrowing;
      return { kind, settings, override, resolved: resolveProfile(kind, settings, override) };
    })
    .filter(({ resolved }) => resolved.problems.length === 0)
    .map(({ kind, resolved }) => ({ kind, profile: resolved.profile }));
}
