import fc from 'fast-check';
import type { Group, Membership, Person } from '../../../src/model/index.js';
import { renderFeed, roleType, type FeedPerson } from '../../../src/pifu/index.js';
import {
  idTypeNameOf,
  isMinorOn,
  viewThroughProfile,
  type DisclosedPerson,
  type Profile,
  type RecipientView,
} from '../../../src/profiles/index.js';
import { validateAllAgainstXsd } from '../pifu/feed-fixture.js';
import {
  profileArbitrary,
  rosterArrays,
  rosterOf,
  snapshotDay,
  type RosterArrays,
} from './profile-arbitraries.js';

const pseudonymKey = new TextEncoder().encode('a test secret of at least thirty-two bytes');

interface Collected {
  readonly persons: DisclosedPerson[];
  readonly groups: Group[];
  readonly memberships: { personKey: string; membership: Membership }[];
  readonly view: RecipientView;
}

async function collect(arrays: RosterArrays, profile: Profile): Promise<Collected> {
  const view = await viewThroughProfile(rosterOf(arrays), profile, { pseudonymKey });
  const persons: DisclosedPerson[] = [];
  for await (const person of view.persons()) persons.push(person);
  const groups: Group[] = [];
  for await (const group of view.groups()) groups.push(group);
  const memberships: { personKey: string; membership: Membership }[] = [];
  for await (const membership of view.memberships()) memberships.push(membership);
  return { persons, groups, memberships, view };
}

async function renderView(collected: Collected): Promise<string> {
  async function* each<T>(items: readonly T[]): AsyncGenerator<{ object: T }> {
    for (const object of items) yield { object };
  }
  let xml = '';
  for await (const fragment of renderFeed({
    properties: collected.view.properties,
    feedType: 'full',
    orgUnits: collected.view.orgUnits,
    persons: each(collected.persons.map((disclosed) => disclosed.person)),
    groups: each(collected.groups),
    memberships: each(collected.memberships.map((entry) => entry.membership)),
  })) {
    xml += fragment;
  }
  return xml;
}

// ---- The oracle: docs/requirements.md (kinds, R1–R11) written out plainly, apart from src/profiles. ----

type Role = 'pupil' | 'staff' | 'guardian' | 'leaver';

const onDay = (begin: string | undefined, end: string | undefined): boolean =>
  (begin === undefined || begin <= snapshotDay) && (end === undefined || end >= snapshotDay);
const inWindow = (begin: string | undefined, end: string | undefined, profile: Profile): boolean =>
  !(profile.dateWindow?.from !== undefined && end !== undefined && end < profile.dateWindow.from) &&
  !(profile.dateWindow?.to !== undefined && begin !== undefined && begin > profile.dateWindow.to);

function schoolsInScope(arrays: RosterArrays, profile: Profile): Set<string> {
  const selectors = profile.schools;
  return new Set(
    arrays.groups
      .filter((group) => group.type === 'skole')
      .filter(
        (school) =>
          selectors === 'all' ||
          selectors.includes(school.key) ||
          school.identifiers.some((identifier) => selectors.includes(identifier.value)),
      )
      .map((school) => school.key),
  );
}

function expectedRoles(arrays: RosterArrays, profile: Profile): Map<string, Set<Role>> {
  const schools = schoolsInScope(arrays, profile);
  const roles = new Map<string, Set<Role>>();
  const excluded = (person: Person): boolean =>
    person.addressProtection === 'strictlyConfidential' && profile.strictlyConfidential === 'exclude';
  const active = (person: Person): boolean => !profile.activeOnly || person.status === 'active';
  for (const person of arrays.persons) {
    if (excluded(person)) continue;
    const mine = new Set<Role>();
    const pupilInScope = (ignoreActivity: boolean): boolean =>
      person.affiliations.some(
        (affiliation) =>
          affiliation.population === 'pupil' &&
          schools.has(affiliation.schoolKey) &&
          (!profile.activeOnly || ignoreActivity || onDay(affiliation.begin, affiliation.end)) &&
          inWindow(affiliation.begin, affiliation.end, profile) &&
          (profile.levels === 'all' || profile.levels.includes(affiliation.level ?? -1)) &&
          (profile.pupilScope === 'all' || affiliation.transportRight === true),
      );
    // R2 close: a pupil in scope but for having left stays, closed (archive).
    const leaver = (): boolean =>
      profile.leavers === 'close' &&
      profile.activeOnly &&
      profile.populations.includes('pupil') &&
      person.populations.includes('pupil') &&
      pupilInScope(true);
    if (!active(person)) {
      if (leaver()) roles.set(person.key, new Set<Role>(['leaver']));
      continue;
    }
    for (const population of ['pupil', 'staff'] as const) {
      if (!profile.populations.includes(population) || !person.populations.includes(population)) continue;
      const inScope = person.affiliations.some(
        (affiliation) =>
          affiliation.population === population &&
          schools.has(affiliation.schoolKey) &&
          (!profile.activeOnly || onDay(affiliation.begin, affiliation.end)) &&
          inWindow(affiliation.begin, affiliation.end, profile) &&
          (population === 'staff' ||
            ((profile.levels === 'all' || profile.levels.includes(affiliation.level ?? -1)) &&
              (profile.pupilScope === 'all' || affiliation.transportRight === true))),
      );
      if (inScope) mine.add(population);
    }
    if (mine.size === 0 && leaver()) mine.add('leaver');
    if (mine.size > 0) roles.set(person.key, mine);
  }
  const byKey = new Map(arrays.persons.map((person) => [person.key, person]));
  for (const [key, mine] of [...roles]) {
    if (!mine.has('pupil') || profile.guardians === 'none') continue;
    const pupil = byKey.get(key);
    if (pupil === undefined || !isMinorOn(pupil.birthDate, snapshotDay)) continue;
    for (const link of pupil.guardians) {
      if (!link.hasParentalResponsibility) continue;
      if (profile.guardians === 'consentedViaPupils' && !link.parentAccessConsent) continue;
      const guardian = byKey.get(link.guardianKey);
      if (guardian === undefined || !guardian.populations.includes('guardian')) continue;
      if (excluded(guardian) || !active(guardian)) continue;
      const theirs = roles.get(guardian.key) ?? new Set<Role>();
      theirs.add('guardian');
      roles.set(guardian.key, theirs);
    }
  }
  return roles;
}

/** The field keys and id types a feed person shows. */
function shownFields(person: FeedPerson): { fields: string[]; idTypes: string[] } {
  const fields: string[] = [];
  if (person.birthDate !== undefined) fields.push('bday');
  if (person.gender !== undefined) fields.push('gender');
  if (person.status !== undefined) fields.push('status');
  if (person.preferredLanguage !== undefined) fields.push('lang');
  for (const email of person.emails) fields.push(email.kind === 'org' ? 'email.org' : 'email.private');
  for (const phone of person.phones) {
    fields.push(
      { private: 'tel.private', mobilePrivate: 'mobile.private', org: 'tel.org', mobileOrg: 'mobile.org' }[
        phone.kind
      ],
    );
  }
  for (const address of person.addresses) {
    fields.push(address.kind === 'registered' ? 'adr.registered' : 'adr.postal');
  }
  if (person.guardianKeys.length > 0) fields.push('guardianLinks');
  return { fields, idTypes: person.identifiers.map((identifier) => idTypeNameOf[identifier.type]) };
}

function allowedFor(roles: Set<Role>, profile: Profile): { fields: Set<string>; idTypes: Set<string> } {
  const fields = new Set<string>();
  const idTypes = new Set<string>();
  for (const role of roles) {
    const [f, i] =
      role === 'pupil' || role === 'leaver'
        ? [profile.fields, profile.idTypes]
        : role === 'staff'
          ? [profile.staffFields, profile.staffIdTypes]
          : [profile.guardianFields, profile.guardianIdTypes];
    for (const field of f) fields.add(field);
    for (const idType of i) idTypes.add(idType);
  }
  // Links sit on the pupil, but they are the guardians' data: guardianFields decides.
  if (roles.has('pupil') && profile.guardianFields.includes('guardianLinks')) fields.add('guardianLinks');
  return { fields, idTypes };
}

describe('a roster seen through any valid profile', () => {
  it('holds exactly the persons the profile scopes in, with no field, id type, school or group type outside it', async () => {
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (arrays, { profile }) => {
        const collected = await collect(arrays, profile);
        const expected = expectedRoles(arrays, profile);
        expect(collected.persons.map((person) => person.personKey).sort()).toEqual(
          [...expected.keys()].sort(),
        );

        const source = new Map(arrays.persons.map((person) => [person.key, person]));
        for (const { personKey, person, disclosed } of collected.persons) {
          const roles = expected.get(personKey) ?? new Set<Role>();
          const allowed = allowedFor(roles, profile);
          const shown = shownFields(person);
          for (const field of shown.fields) expect(allowed.fields).toContain(field);
          for (const idType of shown.idTypes) expect(allowed.idTypes).toContain(idType);
          // The disclosure list names exactly what was shown (plus name or pseudonym).
          for (const field of shown.fields) expect(disclosed).toContain(field);
          for (const idType of shown.idTypes) expect(disclosed).toContain(`id:${idType}`);
          // R2 close: a leaver is kept as inactive, with no links (memberships are checked below).
          if (roles.has('leaver')) {
            expect(person.status === undefined || person.status === 'inactive').toBe(true);
            expect(person.guardianKeys).toEqual([]);
          }
          // R9: a protected address never leaves with address or contact data, to anyone.
          if (source.get(personKey)?.addressProtection !== 'none') {
            expect([person.emails, person.phones, person.addresses]).toEqual([[], [], []]);
          }
        }

        const schools = schoolsInScope(arrays, profile);
        const groupKeys = new Set(collected.groups.map((group) => group.key));
        for (const group of collected.groups) {
          expect(profile.groupTypes).toContain(group.type);
          expect(group.type).not.toBe('språkopplæring');
          if (group.type === 'skoleeier') expect(profile.schools === 'all' || schools.size > 0).toBe(true);
          else expect(schools).toContain(group.schoolKey);
          // Referential integrity: the parent is in the feed, labelled.
          expect(groupKeys).toContain(group.parentKey);
          expect(collected.view.orgUnits.has(group.parentKey)).toBe(true);
          for (const identifier of group.identifiers) expect(profile.orgIdTypes).toContain(identifier.type);
        }

        const feedKeys = new Set(collected.persons.map((person) => person.person.key));
        const rolesByFeedKey = new Map(
          collected.persons.map((person) => [person.person.key, expected.get(person.personKey)]),
        );
        for (const { membership } of collected.memberships) {
          expect(groupKeys).toContain(membership.groupKey);
          expect(feedKeys).toContain(membership.personKey);
          expect(profile.roletypes).toContain(roleType[membership.role]);
          if (profile.activeOnly) expect(membership.isActive).toBe(true);
          // A pupil role only for a person in view as a pupil.
          if (membership.role === 'pupil')
            expect(rolesByFeedKey.get(membership.personKey)).toContain('pupil');
          expect(rolesByFeedKey.get(membership.personKey)).not.toEqual(new Set(['leaver']));
        }
        for (const { person } of collected.persons) {
          for (const guardianKey of person.guardianKeys) {
            expect(feedKeys).toContain(guardianKey);
            expect(rolesByFeedKey.get(guardianKey)).toContain('guardian');
          }
        }
      }),
    );
  });

  it('sends guardians only through an in-scope pupil under 18 who links them with parental responsibility', async () => {
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (arrays, { profile }) => {
        const collected = await collect(arrays, profile);
        const source = new Map(arrays.persons.map((person) => [person.key, person]));
        const sentPupils = collected.persons
          .filter((person) => person.person.guardianKeys.length > 0)
          .map((person) => source.get(person.personKey));
        for (const pupil of sentPupils) {
          expect(pupil && isMinorOn(pupil.birthDate, snapshotDay)).toBe(true);
        }
        if (profile.guardians === 'none') {
          expect(expectedRoles(arrays, profile).size).toBe(collected.persons.length);
          for (const { person } of collected.persons) expect(person.guardianKeys).toEqual([]);
        }
      }),
    );
  });

  it('pseudonymised: no value from the source name, NIN or contact columns anywhere in the feed', async () => {
    await fc.assert(
      fc.asyncProperty(
        rosterArrays(),
        profileArbitrary().filter(({ profile }) => profile.pseudonymise),
        async (arrays, { profile }) => {
          const xml = await renderView(await collect(arrays, profile));
          const secrets = arrays.persons.flatMap((person) => [
            person.name.given,
            person.name.family,
            ...(person.name.middle === undefined ? [] : [person.name.middle]),
            // A birth date may equal a non-personal date of the feed (its datetime, a group's timeframe).
            ...(person.birthDate === undefined ? [] : [`<bday>${person.birthDate}</bday>`]),
            ...person.identifiers.map((identifier) => identifier.value),
            ...person.emails.map((email) => email.address),
            ...person.phones.map((phone) => phone.number),
            ...person.addresses.flatMap((address) => address.street),
          ]);
          for (const secret of secrets) expect(xml).not.toContain(secret);
          for (const person of arrays.persons) expect(xml).not.toContain(`<id>${person.key}</id>`);
        },
      ),
    );
  });

  it('renders to a feed that validates against the PIFU XSD', async () => {
    const xmls: string[] = [];
    await fc.assert(
      fc.asyncProperty(rosterArrays(), profileArbitrary(), async (arrays, { profile }) => {
        xmls.push(await renderView(await collect(arrays, profile)));
      }),
    );
    expect(await validateAllAgainstXsd(xmls)).toEqual([]);
  });
});
