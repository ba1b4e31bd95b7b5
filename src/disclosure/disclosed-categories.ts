import type { Person } from '../model/index.js';

/**
 * What kinds of a person's data a feed disclosed (RECIPIENTS.md R5): the answer a data subject gets
 * to "which categories did recipient X receive". Identifier types are listed one by one, because a
 * national identity number going somewhere is the question people ask most.
 */
export type FieldCategory =
  | 'name'
  | 'birthDate'
  | 'gender'
  | 'status'
  | 'language'
  | 'email'
  | 'phone'
  | 'address'
  | 'guardianLinks'
  | 'memberships'
  | `identifier:${string}`;

/** The categories of a person's own record; `memberships` is added from the feed's membership section. */
export function disclosedCategories(person: Person): FieldCategory[] {
  const categories: FieldCategory[] = ['name', 'status'];
  if (person.birthDate !== undefined) categories.push('birthDate');
  if (person.gender !== undefined) categories.push('gender');
  if (person.preferredLanguage !== undefined) categories.push('language');
  if (person.emails.length > 0) categories.push('email');
  if (person.phones.length > 0) categories.push('phone');
  if (person.addresses.length > 0) categories.push('address');
  if (person.guardians.length > 0) categories.push('guardianLinks');
  for (const type of new Set(person.identifiers.map((identifier) => identifier.type))) {
    categories.push(`identifier:${type}`);
  }
  return categories;
}
