import {
  maskAddress,
  maskDate,
  maskEmail,
  maskIdentifier,
  maskName,
  maskPerson,
  maskTail,
  previewFeed,
} from '../../../src/feed/preview-feed.js';
import type { Group, Membership, Person, Roster } from '../../../src/model/index.js';
import { kindDefaults, viewThroughProfile, type Profile } from '../../../src/profiles/index.js';
import { owner, sampleGroup, sampleMembership, samplePerson, school } from '../pifu/feed-fixture.js';

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const pupil = samplePerson({
  identifiers: [
    { type: 'nin', value: '12031245678' },
    { type: 'feideId', value: 'ase@mane.no' },
    { type: 'sisId', value: 'S-100201' },
  ],
  emails: [
    { kind: 'org', address: 'ase.odegard@skole.mane.kommune.no', priority: 1 },
    { kind: 'private', address: 'ase@example.org', priority: 1 },
  ],
});
const guardian = samplePerson({
  key: 'p-0002',
  populations: ['guardian'],
  name: { given: 'Kari', family: 'Ødegård' },
  birthDate: '1980-01-02',
  identifiers: [{ type: 'nin', value: '02018012345' }],
  emails: [{ kind: 'private', address: 'kari@example.org', priority: 1 }],
  phones: [{ kind: 'mobilePrivate', number: '+4791234567', priority: 1 }],
  addresses: [
    { kind: 'postal', street: ['Postboks 7'], postalCode: '7270', locality: 'Måneby', country: 'NO' },
  ],
  guardians: [],
  affiliations: [],
});
const teacher = samplePerson({
  key: 'p-0003',
  populations: ['staff'],
  name: { given: 'Per', family: 'Lærer' },
  birthDate: '1975-05-06',
  identifiers: [{ type: 'workforceId', value: 'W-7788' }],
  emails: [{ kind: 'org', address: 'per@skole.mane.kommune.no', priority: 1 }],
  guardians: [],
  affiliations: [{ schoolKey: 'g-school', population: 'staff', begin: '2010-08-01' }],
});
const secondPupil = samplePerson({
  key: 'p-0004',
  name: { given: 'Ola', family: 'Nordmann' },
  identifiers: [{ type: 'sisId', value: 'S-100202' }],
  guardians: [],
});

const persons: Person[] = [pupil, guardian, teacher, secondPupil];
const groups: Group[] = [sampleGroup(), owner, school];
const memberships: Membership[] = [
  sampleMembership(),
  sampleMembership({ personKey: 'p-0003', role: 'teacher', isPrimary: false }),
  sampleMembership({ personKey: 'p-0004' }),
];

const roster: Roster = {
  properties: { source: 'test', snapshotAt: '2025-03-01T02:00:00Z' },
  persons: () => each(persons),
  groups: () => each(groups),
  memberships: () => each(memberships),
};

const pseudonymKey = new TextEncoder().encode('a test secret of at least thirty-two bytes');

describe('preview masking', () => {
  it('masks names word by word to an initial and three stars, whatever their length', () => {
    expect(maskName({ given: 'Åse', middle: 'Marie', family: 'Ødegård' })).toBe('Å*** M*** Ø***');
    expect(maskName({ given: 'Anne-Marie', family: 'Nordmann Berg' })).toBe('A***-M*** N*** B***');
    expect(maskName({ given: 'Li', family: 'X' })).toBe('L*** X***');
  });

  it('masks every date completely', () => {
    expect(maskDate('2012-03-04')).toBe('****-**-**');
  });

  it('shows the id type and at most the last two characters, and none of a short value', () => {
    expect(maskIdentifier({ type: 'nin', value: '12031245678' })).toBe('personNIN ***78');
    expect(maskIdentifier({ type: 'feideId', value: 'ase@mane.no' })).toBe('feideID ***no');
    expect(maskIdentifier({ type: 'studentId', value: '12345' })).toBe('studentID ***');
    expect(maskTail('+4791234567')).toBe('***67');
  });

  it('masks e-mail addresses to initials and the top-level domain', () => {
    expect(maskEmail('ase.odegard@skole.mane.kommune.no')).toBe('a***@s***.no');
    expect(maskEmail('a@example.org')).toBe('a***@e***.org');
    expect(maskEmail('root@localhost')).toBe('r***@l***');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('hides street and postal code, keeping the locality initial and the country', () => {
    expect(
      maskAddress({
        kind: 'registered',
        street: ['Månegata 1'],
        postalCode: '7271',
        locality: 'Måneby',
        country: 'NO',
      }),
    ).toBe('***, **** M***, NO');
    expect(maskAddress({ kind: 'postal', street: ['Postboks 7'] })).toBe('***');
  });

  it('leaves no personal value of a projected person in the masked one', async () => {
    const profile: Profile = { ...kindDefaults.sms, guardianIdTypes: ['personNIN'] };
    const view = await viewThroughProfile(roster, profile);
    const masked = [];
    for await (const person of view.persons()) masked.push(maskPerson(person));
    const text = JSON.stringify(masked);
    const secrets = persons.flatMap((person) => [
      person.name.given,
      person.name.family,
      ...(person.birthDate === undefined ? [] : [person.birthDate]),
      ...person.identifiers.map((identifier) => identifier.value),
      ...person.emails.map((email) => email.address),
      ...person.phones.map((phone) => phone.number),
      ...person.addresses.flatMap((address) => [...address.street, address.postalCode ?? '']),
    ]);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(masked.find((person) => person.key === 'p-0002')).toEqual({
      key: 'p-0002',
      name: 'K*** Ø***',
      identifiers: ['personNIN ***45'],
      emails: ['email.private k***@e***.org'],
      phones: ['mobile.private ***67'],
      addresses: [],
      guardianLinks: 0,
      disclosed: ['name', 'email.private', 'mobile.private', 'guardianLinks', 'id:personNIN'],
    });
  });
});

describe('previewFeed', () => {
  it('counts what the view holds: objects, disclosed fields, group types, roletypes and populations', async () => {
    const profile = kindDefaults.archive;
    const view = await viewThroughProfile(roster, profile);
    const preview = await previewFeed(view, { roster, profile });

    const expected = { persons: 0, groups: 0, memberships: 0 };
    const disclosed = new Map<string, number>();
    for await (const person of view.persons()) {
      expected.persons++;
      for (const key of person.disclosed) disclosed.set(key, (disclosed.get(key) ?? 0) + 1);
    }
    for await (const _group of view.groups()) expected.groups++;
    for await (const _membership of view.memberships()) expected.memberships++;

    expect(preview.counts).toEqual(expected);
    expect(preview.counts).toEqual({ persons: 3, groups: 2, memberships: 2 });
    expect(preview.disclosedFields).toEqual(Object.fromEntries(disclosed));
    // Canonical order: field keys as the vocabulary lists them, then id types.
    expect(Object.keys(preview.disclosedFields)).toEqual([
      'name',
      'bday',
      'status',
      'adr.registered',
      'adr.postal',
      'guardianLinks',
      'id:personNIN',
      'id:sisID',
    ]);
    expect(preview.groupsByType).toEqual({ skole: 1, basisgruppe: 1 });
    expect(preview.membershipsByRole).toEqual({ '01 pupil': 2 });
    expect(preview.personsByPopulation).toEqual({ pupil: 2, guardian: 1 });
    expect(preview.snapshotAt).toBe('2025-03-01T02:00:00Z');
    expect(preview.unmatchedSchools).toEqual([]);
    expect(preview.sample.map((person) => person.key)).toEqual(['p-0001', 'p-0002', 'p-0004']);
    expect(preview.sample[0]).toMatchObject({
      name: 'Å*** M*** Ø***',
      bday: '****-**-**',
      status: 'active',
      identifiers: ['personNIN ***78', 'sisID ***01'],
      addresses: ['adr.registered ***, **** M***, NO'],
      guardianLinks: 1,
    });
  });

  it('takes the sample size asked for, counts staff and leaves out populations it was not given a roster for', async () => {
    const profile = kindDefaults.directory;
    const preview = await previewFeed(await viewThroughProfile(roster, profile), { sampleSize: 1 });
    expect(preview.sample).toHaveLength(1);
    expect(preview.personsByPopulation).toBeUndefined();
    expect(preview.counts.persons).toBe(3);
    expect(preview.membershipsByRole).toEqual({ '01 pupil': 2, '02 teacher': 1 });
    expect(preview.disclosedFields).toMatchObject({ name: 3, 'email.org': 3, 'id:workforceID': 1 });
  });

  it('shows pseudonyms, not names, for a pseudonymised profile', async () => {
    const profile: Profile = { ...kindDefaults.analytics, pseudonymise: true };
    const view = await viewThroughProfile(roster, profile, { pseudonymKey });
    const preview = await previewFeed(view, { roster, profile });
    expect(preview.disclosedFields).toEqual({ pseudonym: 3, gender: 2 });
    for (const person of preview.sample) {
      expect(person.name).toBe('(pseudonym)');
      expect(person.key).not.toMatch(/^p-/);
      expect(person.identifiers).toEqual([]);
    }
    expect(preview.personsByPopulation).toEqual({ pupil: 2, staff: 1 });
  });

  it('reports school selectors that match no school', async () => {
    const profile: Profile = { ...kindDefaults.archive, schools: ['333000333', '404404404'] };
    const preview = await previewFeed(await viewThroughProfile(roster, profile));
    expect(preview.unmatchedSchools).toEqual(['404404404']);
    expect(preview.counts.persons).toBe(3);
  });
});
