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

function mapAffiliation(row: PersonRows['affiliations'][number], key: string): Affiliation {
  const population = mapVocabulary(affiliationPopulations, row.population, key, 'affiliation.population');
  const isPupil = population === 'pupil';
  return {
    schoolKey: row.school_id,
    population,
    ...(isPupil && row.grade !== null ? { level: row.grade } : {}),
    ...(isPupil && row.school_transport_right !== null ? { transportRight: row.school_transport_right } : {}),
    ...(row.begins === null ? {} : { begin: row.begins }),
    ...(row.ends === null ? {} : { end: row.ends }),
  };
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
  const middle = person.middle_name ?? undefined;
  const birthDate = person.birth_date ?? undefined;
  const affiliations = rows.affiliations.map((row) => mapAffiliation(row, key)).sort(byAffiliationOrder);
  return {
    key,
    populations: [
      ...new Set([
        ...rows.populations.map((p) => mapVocabulary(populations, p, key, 'population')),
        ...affiliations.map((affiliation) => affiliation.population),
      ]),
    ].sort(compareKeys),
    name: {
      given: person.given_name,
      ...(middle === undefined ? {} : { middle }),
      family: person.family_name,
    },
    ...(birthDate === undefined ? {} : { birthDate }),
    gender: mapVocabulary(genders, person.gender, key, 'person.gender'),
    status:
      person.status === 'active'
        ? 'active'
        : mapVocabulary({ inactive: 'inactive' as const }, person.status, key, 'person.status'),
    addressProtection: mapVocabulary(
      protections,
      person.address_protection,
      key,
      'person.address_protection',
    ),
    identifiers,
    emails: rows.emails
      .map((row) => ({
        kind: mapVocabulary(emailKinds, row.email_type, key, 'person_email.email_type'),
        address: row.address,
        priority: row.priority,
      }))
      .sort(byKindPriorityValue((email) => email.address)),
    phones: rows.phones
      .map((row) => ({
        kind: mapVocabulary(phoneKinds, row.phone_type, key, 'person_phone.phone_type'),
        number: row.number,
        priority: row.priority,
      }))
      .sort(byKindPriorityValue((phone) => phone.number)),
    addresses: rows.addresses
      .map((row) => ({
        kind: mapVocabulary(addressKinds, row.address_type, key, 'person_address.address_type'),
        street: [row.street1, row.street2, row.street3].filter(
          (line): line is string => line !== null && line !== '',
        ),
        ...(row.postal_code === null ? {} : { postalCode: row.postal_code }),
        ...(row.locality === null ? {} : { locality: row.locality }),
        country: row.country,
      }))
      .sort((a, b) => compareKeys(a.kind, b.kind)),
    ...(person.preferred_language === null ? {} : { preferredLanguage: person.preferred_language }),
    guardians: rows.guardians
      .map((row) => ({
        guardianKey: row.guardian_id,
        hasParentalResponsibility: row.has_parental_responsibility,
        parentAccessConsent: row.parent_access_consent,
      }))
      .sort((a, b) => compareKeys(a.guardianKey, b.guardianKey)),
    affiliations,
  };
}
