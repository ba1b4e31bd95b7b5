import type { Person } from '../model/index.js';
import { idTypeNameOf } from '../profiles/index.js';

/** A person's values as the school system has them, for an access report that asks for values. */
export interface PersonValues {
  readonly name: string;
  readonly birthDate?: string;
  readonly gender?: string;
  readonly status: string;
  readonly preferredLanguage?: string;
  /** `category → values`, e.g. `email.org → ["a@b.no"]`, `id:feideID → ["x@skole.no"]`. */
  readonly details: Readonly<Record<string, readonly string[]>>;
}

const emailField = { org: 'email.org', private: 'email.private' } as const;
const phoneField = {
  private: 'tel.private',
  mobilePrivate: 'mobile.private',
  org: 'tel.org',
  mobileOrg: 'mobile.org',
} as const;
const addressField = { registered: 'adr.registered', postal: 'adr.postal' } as const;

function detailsOf(person: Person): Map<string, string[]> {
  const details = new Map<string, string[]>();
  const add = (key: string, value: string): void =>
    void details.set(key, [...(details.get(key) ?? []), value]);
  for (const email of person.emails) add(emailField[email.kind], email.address);
  for (const phone of person.phones) add(phoneField[phone.kind], phone.number);
  for (const address of person.addresses) {
    const place = [address.postalCode, address.locality].filter((part) => part !== undefined).join(' ');
    add(
      addressField[address.kind],
      [...address.street, place, address.country ?? ''].filter((p) => p !== '').join(', '),
    );
  }
  for (const identifier of person.identifiers) add(`id:${idTypeNameOf[identifier.type]}`, identifier.value);
  if (person.guardians.length > 0) add('guardianLinks', `${person.guardians.length}`);
  return details;
}

/** Which kinds of data the school system holds about the person: category keys, no values. */
export function personCategories(person: Person, memberships: number): string[] {
  const categories = ['name'];
  if (person.birthDate !== undefined) categories.push('bday');
  if (person.gender !== undefined) categories.push('gender');
  categories.push('status');
  if (person.preferredLanguage !== undefined) categories.push('lang');
  categories.push(...detailsOf(person).keys());
  if (memberships > 0) categories.push('memberships');
  return [...new Set(categories)];
}

export function personValues(person: Person): PersonValues {
  const name = [person.name.given, person.name.middle, person.name.family].filter(
    (part) => part !== undefined,
  );
  return {
    name: name.join(' '),
    ...(person.birthDate === undefined ? {} : { birthDate: person.birthDate }),
    ...(person.gender === undefined ? {} : { gender: person.gender }),
    status: person.status,
    ...(person.preferredLanguage === undefined ? {} : { preferredLanguage: person.preferredLanguage }),
    details: Object.fromEntries(detailsOf(person)),
  };
}
