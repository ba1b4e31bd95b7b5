import type { AddressKind, EmailKind, Group, Membership, Person, PhoneKind } from '../model/index.js';
import type { FeedPerson } from '../pifu/index.js';
import type { Profile } from './profile.js';
import { addressFields, contactFields, idTypeNameOf, type FieldKey, type IdTypeName } from './vocabulary.js';

/** One person as a recipient receives them, and what that discloses (docs/requirements.md#r5). */
export interface DisclosedPerson {
  /** The records store's key; the feed carries a pseudonym instead when the profile says so. */
  readonly personKey: string;
  readonly person: FeedPerson;
  /** Field keys and `id:<useridtype>` entries actually sent, e.g. `name`, `mobile.private`, `id:sisID`. */
  readonly disclosed: readonly string[];
  /** Schools the person is enrolled or employed at (any time): what a school resync selects by. */
  readonly schoolKeys: readonly string[];
}

export interface DisclosedMembership {
  readonly personKey: string;
  /** As the feed carries it: its `personKey` is a pseudonym when the profile says so. */
  readonly membership: Membership;
}

/** `leaver`: a pupil kept by a `leavers: close` recipient after leaving (R2, archive). */
export type PersonRole = 'pupil' | 'staff' | 'guardian' | 'leaver';
export type PersonRoles = ReadonlySet<PersonRole>;

const emailField: Readonly<Record<EmailKind, FieldKey>> = { org: 'email.org', private: 'email.private' };
const phoneField: Readonly<Record<PhoneKind, FieldKey>> = {
  private: 'tel.private',
  mobilePrivate: 'mobile.private',
  org: 'tel.org',
  mobileOrg: 'mobile.org',
};
const addressField: Readonly<Record<AddressKind, FieldKey>> = {
  registered: 'adr.registered',
  postal: 'adr.postal',
};

const fieldsByRole: Readonly<Record<PersonRole, 'fields' | 'staffFields' | 'guardianFields'>> = {
  pupil: 'fields',
  leaver: 'fields',
  staff: 'staffFields',
  guardian: 'guardianFields',
};
const idTypesByRole: Readonly<Record<PersonRole, 'idTypes' | 'staffIdTypes' | 'guardianIdTypes'>> = {
  pupil: 'idTypes',
  leaver: 'idTypes',
  staff: 'staffIdTypes',
  guardian: 'guardianIdTypes',
};

/** Fields a pseudonymised recipient may still get: nothing that names, dates or reaches a person. */
const pseudonymousFields: ReadonlySet<FieldKey> = new Set(['gender', 'status', 'lang']);

/**
 * The fields and id types a person may carry to this recipient: the union over the roles in which the
 * person is in view, minus address and contact data for a protected address (R9, to anyone), minus all
 * that identifies when pseudonymised.
 */
export function allowedFor(
  person: Pick<Person, 'addressProtection'>,
  roles: PersonRoles,
  profile: Profile,
): { fields: ReadonlySet<FieldKey>; idTypes: ReadonlySet<IdTypeName> } {
  const fields = new Set<FieldKey>();
  const idTypes = new Set<IdTypeName>();
  for (const role of roles) {
    for (const field of profile[fieldsByRole[role]]) fields.add(field);
    for (const idType of profile[idTypesByRole[role]]) idTypes.add(idType);
  }
  if (person.addressProtection !== 'none') {
    for (const field of [...contactFields, ...addressFields]) fields.delete(field);
  }
  if (profile.pseudonymise) {
    for (const field of fields) if (!pseudonymousFields.has(field)) fields.delete(field);
    idTypes.clear();
  }
  return { fields, idTypes };
}

export interface ProjectionContext {
  /** The key the feed carries: the person's own, or their pseudonym. */
  readonly feedKey: string;
  /**
   * A pupil's guardian links that survive, in the record's order: eligible (R8) and with the guardian in
   * view as one (PersonInputs.settledLinks, joined by U+0001; '' for none). The view settled them once
   * in its pass over the persons, so each projection reads them instead of deciding every link again.
   */
  readonly survivingLinks: string;
  /** What `allowedFor` gives for this person, when the caller keeps it (see allowedFor). */
  readonly allowed?: ReturnType<typeof allowedFor>;
}

/** One person as this recipient receives them, and the list of what that discloses. */
export function projectPerson(
  person: Person,
  roles: PersonRoles,
  profile: Profile,
  context: ProjectionContext,
): DisclosedPerson {
  const { fields, idTypes } = context.allowed ?? allowedFor(person, roles, profile);
  const identifiers = person.identifiers.filter((identifier) => idTypes.has(idTypeNameOf[identifier.type]));
  const emails = person.emails.filter((email) => fields.has(emailField[email.kind]));
  const phones = person.phones.filter((phone) => fields.has(phoneField[phone.kind]));
  const addresses = person.addresses.filter((address) => fields.has(addressField[address.kind]));
  const linksAllowed =
    roles.has('pupil') && (profile.guardianFields.includes('guardianLinks') || fields.has('guardianLinks'));
  const guardianKeys =
    linksAllowed && context.survivingLinks !== '' ? context.survivingLinks.split('\u0001') : [];
  const name = fields.has('name') ? person.name : { given: context.feedKey, family: context.feedKey };
  const feedPerson: FeedPerson = {
    key: context.feedKey,
    name,
    ...(fields.has('bday') && person.birthDate !== undefined ? { birthDate: person.birthDate } : {}),
    ...(fields.has('gender') && person.gender !== undefined ? { gender: person.gender } : {}),
    ...(fields.has('status') ? { status: roles.has('leaver') ? ('inactive' as const) : person.status } : {}),
    identifiers,
    emails,
    phones,
    addresses,
    ...(fields.has('lang') && person.preferredLanguage !== undefined
      ? { preferredLanguage: person.preferredLanguage }
      : {}),
    guardianKeys,
  };
  return {
    personKey: person.key,
    person: feedPerson,
    disclosed: disclosedFields(feedPerson, fields, roles),
    schoolKeys: [...new Set(person.affiliations.map((affiliation) => affiliation.schoolKey))],
  };
}

/**
 * What a projected person discloses: each field key with a value sent, `id:<type>` per identifier type,
 * `pseudonym` instead of `name` when the name is withheld. A guardian brought in through a pupil also
 * has the link disclosed (it sits on the pupil's record but tells about both).
 */
function disclosedFields(person: FeedPerson, fields: ReadonlySet<FieldKey>, roles: PersonRoles): string[] {
  const disclosed = new Set<string>();
  disclosed.add(fields.has('name') ? 'name' : 'pseudonym');
  if (person.birthDate !== undefined) disclosed.add('bday');
  if (person.gender !== undefined) disclosed.add('gender');
  if (person.status !== undefined) disclosed.add('status');
  if (person.preferredLanguage !== undefined) disclosed.add('lang');
  for (const email of person.emails) disclosed.add(emailField[email.kind]);
  for (const phone of person.phones) disclosed.add(phoneField[phone.kind]);
  for (const address of person.addresses) disclosed.add(addressField[address.kind]);
  if (person.guardianKeys.length > 0 || (roles.has('guardian') && fields.has('guardianLinks')))
    disclosed.add('guardianLinks');
  for (const identifier of person.identifiers) disclosed.add(`id:${idTypeNameOf[identifier.type]}`);
  return [...disclosed];
}

/** A group as this recipient receives it: org identifiers it may have, parent inside its view. */
export function projectGroup(group: Group, parentKey: string, profile: Profile): Group {
  const identifiers = group.identifiers.filter((identifier) =>
    (profile.orgIdTypes as readonly string[]).includes(identifier.type),
  );
  return { ...group, parentKey, identifiers };
}
