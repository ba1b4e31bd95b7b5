import type {
  Affiliation,
  AddressKind,
  AddressProtection,
  EmailKind,
  Gender,
  Person,
  PersonIdentifierType,
  PhoneKind,
  Population,
  PostalAddress,
} from '../../../src/model/index.js';
import { compareKeys } from '../../../src/model/index.js';
import { HubError } from '../../../src/errors/index.js';
import type {
  GuardianRelationTable,
  PersonAddressTable,
  PersonEmailTable,
  PersonIdentifierTable,
  PersonPhoneTable,
  PersonTable,
} from './source-database.js';

const genders: Readonly<Record<string, Gender>> = { unknown: 'unknown', female: 'female', male: 'male' };
const protections: Readonly<Record<string, AddressProtection>> = {
  none: 'none',
  confidential: 'confidential',
  strictly_confidential: 'strictlyConfidential',
};
const identifierTypes: Readonly<Record<string, PersonIdentifierType>> = {
  studentID: 'studentId',
  workforceID: 'workforceId',
  username: 'username',
  feideID: 'feideId',
  microsoftUPN: 'microsoftUpn',
  personLIN: 'lin',
  personFIN: 'fin',
  sisID: 'sisId',
};
const emailKinds: Readonly<Record<string, EmailKind>> = { private: 'private', work: 'org' };
const phoneKinds: Readonly<Record<string, PhoneKind>> = {
  private: 'private',
  mobile: 'mobilePrivate',
  work: 'org',
  work_mobile: 'mobileOrg',
};
const addressKinds: Readonly<Record<string, AddressKind>> = { registered: 'registered', postal: 'postal' };
const populations: Readonly<Record<string, Population>> = {
  pupil: 'pupil',
  guardian: 'guardian',
  staff: 'staff',
};
const affiliationPopulations: Readonly<Record<string, Affiliation['population']>> = {
  pupil: 'pupil',
  staff: 'staff',
};

/** A table's row as read alongside its person: without the person key the chunk is grouped by. */
type PersonDetail<Table, PersonKey extends keyof Table> = Readonly<Omit<Table, PersonKey>>;

/** The rows of one person across the roster tables, as read for one chunk. */
export interface PersonRows {
  readonly person: Readonly<Omit<PersonTable, 'birth_date'>> & {
    /** YYYY-MM-DD: queries format dates in SQL, because pg and PGlite turn `date` into Dates differently. */
    readonly birth_date: string | null;
  };
  readonly identifiers: readonly PersonDetail<PersonIdentifierTable, 'person_id'>[];
  readonly emails: readonly PersonDetail<PersonEmailTable, 'person_id'>[];
  readonly phones: readonly PersonDetail<PersonPhoneTable, 'person_id'>[];
  readonly addresses: readonly PersonDetail<PersonAddressTable, 'person_id'>[];
  readonly guardians: readonly PersonDetail<GuardianRelationTable, 'pupil_id'>[];
  /**
   * Enrolments (`pupil`, with grade and transport right) and employments (`staff`, where both are null);
   * dates as YYYY-MM-DD. Staff position is never read.
   */
  readonly affiliations: readonly {
    school_id: string;
    population: string;
    grade: number | null;
    school_transport_right: boolean | null;
    begins: string | null;
    ends: string | null;
  }[];
  /** Populations from memberships and guardianship; each affiliation adds its own population too. */
  readonly populations: readonly string[];
}

/** Maps a vocabulary value or fails naming the person key and column, never the value's owner. */
export function mapVocabulary<T>(
  table: Readonly<Record<string, T>>,
  value: string,
  key: string,
  column: string,
): T {
  const mapped = Object.hasOwn(table, value) ? table[value] : undefined;
  if (mapped === undefined) {
    throw new HubError(
      'PIFU_SOURCE_INVALID',
      `records store row ${key}: ${column} has a value the hub cannot map; fix the row or the vocabulary`,
    );
  }
  return mapped;
}

const byKindPriorityValue =
  <T extends { kind: string; priority: number }>(value: (item: T) => string) =>
  (a: T, b: T): number =>
    compareKeys(a.kind, b.kind) || a.priority - b.priority || compareKeys(value(a), value(b));

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/*
 * Objects are built property by property in the model's order, optional ones only when present: the
 * spool is their JSON, so the order is the bytes. No spreads of `{}` or `{ x }`: each made an object to
 * copy and throw away, and this runs for every person, address and affiliation of a snapshot.
 */

function mapAffiliation(row: PersonRows['affiliations'][number], key: string): Affiliation {
  const population = mapVocabulary(affiliationPopulations, row.population, key, 'affiliation.population');
  const affiliation: Mutable<Affiliation> = { schoolKey: row.school_id, population };
  if (population === 'pupil') {
    if (row.grade !== null) affiliation.level = row.grade;
    if (row.school_transport_right !== null) affiliation.transportRight = row.school_transport_right;
  }
  if (row.begins !== null) affiliation.begin = row.begins;
  if (row.ends !== null) affiliation.end = row.ends;
  return affiliation;
}

const byAffiliationOrder = (a: Affiliation, b: Affiliation): number =>
  compareKeys(a.schoolKey, b.schoolKey) ||
  compareKeys(a.population, b.population) ||
  compareKeys(a.begin ?? '', b.begin ?? '');

export function mapPerson(rows: PersonRows): Person {
  const { person } = rows;
  const key = person.id;
  const identifiers = rows.identifiers.map((row) => ({
    type: mapVocabulary(identifierTypes, row.identifier_type, key, 'person_identifier.identifier_type'),
    value: row.value,
  }));
  if (person.national_identity_number !== null)
    identifiers.push({ type: 'nin', value: person.national_identity_number });
  identifiers.sort((a, b) => compareKeys(a.type, b.type) || compareKeys(a.value, b.value));
  const affiliations = rows.affiliations.map((row) => mapAffiliation(row, key)).sort(byAffiliationOrder);
  // Each population once (there are three), sorted.
  const personPopulations: Population[] = [];
  for (const population of rows.populations) {
    const mapped = mapVocabulary(populations, population, key, 'population');
    if (!personPopulations.includes(mapped)) personPopulations.push(mapped);
  }
  for (const { population } of affiliations)
    if (!personPopulations.includes(population)) personPopulations.push(population);
  const name: Mutable<Person['name']> = { given: person.given_name } as Mutable<Person['name']>;
  if (person.middle_name !== null) name.middle = person.middle_name;
  name.family = person.family_name;
  const mapped: Partial<Mutable<Person>> = { key, populations: personPopulations.sort(compareKeys), name };
  if (person.birth_date !== null) mapped.birthDate = person.birth_date;
  mapped.gender = mapVocabulary(genders, person.gender, key, 'person.gender');
  mapped.status =
    person.status === 'active'
      ? 'active'
      : mapVocabulary({ inactive: 'inactive' as const }, person.status, key, 'person.status');
  mapped.addressProtection = mapVocabulary(
    protections,
    person.address_protection,
    key,
    'person.address_protection',
  );
  mapped.identifiers = identifiers;
  mapped.emails = rows.emails
    .map((row) => ({
      kind: mapVocabulary(emailKinds, row.email_type, key, 'person_email.email_type'),
      address: row.address,
      priority: row.priority,
    }))
    .sort(byKindPriorityValue((email) => email.address));
  mapped.phones = rows.phones
    .map((row) => ({
      kind: mapVocabulary(phoneKinds, row.phone_type, key, 'person_phone.phone_type'),
      number: row.number,
      priority: row.priority,
    }))
    .sort(byKindPriorityValue((phone) => phone.number));
  mapped.addresses = rows.addresses
    .map((row) => mapAddress(row, key))
    .sort((a, b) => compareKeys(a.kind, b.kind));
  if (person.preferred_language !== null) mapped.preferredLanguage = person.preferred_language;
  mapped.guardians = rows.guardians
    .map((row) => ({
      guardianKey: row.guardian_id,
      hasParentalResponsibility: row.has_parental_responsibility,
      parentAccessConsent: row.parent_access_consent,
    }))
    .sort((a, b) => compareKeys(a.guardianKey, b.guardianKey));
  mapped.affiliations = affiliations;
  return mapped as Person;
}

function mapAddress(row: PersonRows['addresses'][number], key: string): PostalAddress {
  const street: string[] = [];
  for (const line of [row.street1, row.street2, row.street3])
    if (line !== null && line !== '') street.push(line);
  const address: Mutable<PostalAddress> = {
    kind: mapVocabulary(addressKinds, row.address_type, key, 'person_address.address_type'),
    street,
  };
  if (row.postal_code !== null) address.postalCode = row.postal_code;
  if (row.locality !== null) address.locality = row.locality;
  address.country = row.country;
  return address;
}
