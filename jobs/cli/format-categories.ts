import { fieldCategory, type FieldKey, type GroupedCategories } from '../../src/operations/index.js';

/** Field keys grouped by category: `identity: name, status; contact: email.org`. */
export function formatFieldCategories(fields: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const field of fields) {
    const category = field === 'pseudonym' ? 'identity' : (fieldCategory[field as FieldKey] ?? 'other');
    groups.set(category, [...(groups.get(category) ?? []), field]);
  }
  return groups.size === 0
    ? '(none)'
    : [...groups].map(([category, keys]) => `${category}: ${keys.join(', ')}`).join('; ');
}

/** `identity: name, bday; identifiers: personNIN; memberships` */
export function formatGroupedCategories(grouped: GroupedCategories): string {
  const parts = Object.entries(grouped.groups).map(([group, labels]) => `${group}: ${labels.join(', ')}`);
  if (grouped.memberships) parts.push('memberships');
  return parts.length === 0 ? '(none)' : parts.join('; ');
}
