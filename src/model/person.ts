/**
 * A person as the hub holds it: everything a recipient could ever be entitled to, and nothing else.
 *
 * Deliberately left out (docs/requirements.md#r1): health, IOP / special needs, behaviour and conduct,
 * special Norwegian tuition, family circumstances, income, nationality and native tongue. Those columns exist
 * in the records store but no source connector may load them, so no profile can ever send them.
 */
export type Population = 'pupil' | 'guardian' | 'staff';

export type Gender = 'unknown' | 'female' | 'male';

/** Protected address levels from the population register (docs/requirements.md#r9). */
export type AddressProtection = 'none' | 'confidential' | 'strictlyConfidential';

export type ActivityStatus = 'active' | 'inactive';

/** Identifier kinds a person may carry; mapped to PIFU `useridtype` only in `src/pifu`. */
export type PersonIdentifierType =
  | 'nin' // fødselsnummer, D-number or DUF number
  | 'lin' // locally issued number (pupil without a Norwegian one)
  | 'fin' // VIGO person id
  | 'studentId'
  | 'workforceId'
  | 'username'
  | 'sisId' // id in the records store; the hub uses the internal key, see Person.key
  | 'feideId'
  | 'microsoftUpn';

export const personIdentifierTypes: readonly PersonIdentifierType[] = [
  'nin',
  'lin',
  'fin',
  'studentId',
  'workforceId',
  'username',
  'sisId',
  'feideId',
  'microsoftUpn',
];

export interface PersonIdentifier {
  readonly type: PersonIdentifierType;
  readonly value: string;
}

export type EmailKind = 'private' | 'org';

export interface EmailAddress {
  readonly kind: EmailKind;
  readonly address: string;
  /** 1 is highest; 0 unknown. */
  readonly priority: number;
}

export type PhoneKind = 'private' | 'mobilePrivate' | 'org' | 'mobileOrg';

export interface PhoneNumber {
  readonly kind: PhoneKind;
  /** International format: `+` then digits only, e.g. `+4799900099`. */
  readonly number: string;
  readonly priority: number;
}

export type AddressKind = 'registered' | 'postal';

export interface PostalAddress {
  readonly kind: AddressKind;
  /** At most three street lines. */
  readonly street: readonly string[];
  readonly postalCode?: string;
  readonly locality?: string;
  /** ISO 3166-1 alpha-2, filled in for Norwegian addresses too. */
  readonly country?: string;
}

export interface PersonName {
  readonly given: string;
  readonly middle?: string;
  readonly family: string;
}

export interface GuardianLink {
  /** Key of the guardian person. */
  readonly guardianKey: string;
  /** False for a registered guardian without parental responsibility or flagged no-contact. */
  readonly hasParentalResponsibility: boolean;
  /**
   * The guardian consented to a parent account on the learning platform (docs/requirements.md#r8): without it
   * an `lms` recipient gets neither the guardian nor the link.
   */
  readonly parentAccessConsent: boolean;
}

/**
 * A person's enrolment (pupil) or employment (staff) at one school: what puts a person inside or
 * outside a recipient's school, level and date scope. Not written to any feed itself.
 */
export interface Affiliation {
  /** Key of the school group. */
  readonly schoolKey: string;
  readonly population: 'pupil' | 'staff';
  /** Pupils only: trinn 1–10, Vg1–Vg3 as 11–13. */
  readonly level?: number;
  /** Pupils only: entitled to school transport (skoleskyss); scope of `transport` recipients. */
  readonly transportRight?: boolean;
  /** YYYY-MM-DD */
  readonly begin?: string;
  /** YYYY-MM-DD; absent while ongoing. */
  readonly end?: string;
}

export interface Person {
  /**
   * The records store's internal, opaque, stable key. It is the PIFU sourcedid id and it is never a
   * national identity number (docs/requirements.md#r10): a D-number replaced by a fødselsnummer keeps the
   * key.
   */
  readonly key: string;
  /** Sorted, without duplicates; a person may be staff and guardian at once. */
  readonly populations: readonly Population[];
  readonly name: PersonName;
  /** YYYY-MM-DD, as registered; never derived from the national identity number. */
  readonly birthDate?: string;
  readonly gender?: Gender;
  readonly status: ActivityStatus;
  readonly addressProtection: AddressProtection;
  /** Sorted by type, then value. */
  readonly identifiers: readonly PersonIdentifier[];
  /** Sorted by kind, then priority, then address. */
  readonly emails: readonly EmailAddress[];
  readonly phones: readonly PhoneNumber[];
  readonly addresses: readonly PostalAddress[];
  /** Målform / preferred language, ISO 639-1 (`nb`, `nn`, `se`, ...). */
  readonly preferredLanguage?: string;
  /** For pupils: their guardians, sorted by guardian key. Empty for everyone else. */
  readonly guardians: readonly GuardianLink[];
  /** Enrolments and employments, sorted by school key, population, begin. */
  readonly affiliations: readonly Affiliation[];
}

/** Formatted full name, as PIFU `fn` wants it: given, middle and family names in that order. */
export function formatPersonName(name: PersonName): string {
  return [name.given, name.middle, name.family].filter((part) => part !== undefined && part !== '').join(' ');
}
