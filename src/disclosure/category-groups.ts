import { fieldCategory, type FieldCategory, type FieldKey } from '../profiles/index.js';

export type DisclosureGroup = FieldCategory | 'identifiers' | 'other';

export interface GroupedCategories {
  readonly groups: Partial<Record<DisclosureGroup, readonly string[]>>;
  /** The person's memberships went with the transfer. */
  readonly memberships: boolean;
}

const groupOrder: readonly DisclosureGroup[] = [
  'identity',
  'contact',
  'address',
  'relations',
  'identifiers',
  'other',
];

/** Disclosure categories as stored (`name`, `id:personNIN`, `memberships`), grouped for a reader. */
export function groupCategories(categories: readonly string[]): GroupedCategories {
  const groups = new Map<DisclosureGroup, string[]>();
  let memberships = false;
  for (const category of categories) {
    if (category === 'memberships') {
      memberships = true;
      continue;
    }
    const [group, label]: [DisclosureGroup, string] = category.startsWith('id:')
      ? ['identifiers', category.slice(3)]
      : category === 'pseudonym'
        ? ['identity', category]
        : [fieldCategory[category as FieldKey] ?? 'other', category];
    groups.set(group, [...(groups.get(group) ?? []), label]);
  }
  return {
    groups: Object.fromEntries(
      groupOrder.filter((group) => groups.has(group)).map((group) => [group, groups.get(group)!]),
    ),
    memberships,
  };
}
