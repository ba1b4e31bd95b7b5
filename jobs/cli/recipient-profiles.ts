import type { RecipientConfig } from '../../src/config/index.js';
import {
  fieldCategory,
  fieldKeys,
  idTypeNames,
  kindDefaults,
  listKeys,
  profileKeys,
  allowedFor,
  type FieldCategory,
  type FieldKey,
  type Profile,
} from '../../src/profiles/index.js';

/**
 * What `pifu-hub recipients …` and `disclosures` print about recipient configs and their effective
 * profiles, as plain data: the commands format it as tables or JSON. Pure, no I/O.
 */

export type Population = 'pupil' | 'staff' | 'guardian';

/** What a recipient receives of the persons of one population: effective field keys and id types. */
export interface PopulationDisclosure {
  readonly population: Population;
  /** Field keys in canonical order; `pseudonym` stands in for `name` when names are withheld. */
  readonly fields: readonly string[];
  readonly idTypes: readonly string[];
}

const inOrder = <T extends string>(order: readonly T[], values: Iterable<T>): T[] => {
  const set = new Set(values);
  return order.filter((value) => set.has(value));
};

/**
 * Per population the recipient receives, what it receives of each person: the profile's lists after
 * the projection's own rules (pseudonymised: no names, dates, contact data or ids). A person with a
 * protected address gets less (R9); this is the most any one person of that population discloses.
 */
export function populationDisclosures(profile: Profile): PopulationDisclosure[] {
  const populations: Population[] = [...profile.populations];
  if (profile.guardians !== 'none') populations.push('guardian');
  return populations.map((population) => {
    const allowed = allowedFor({ addressProtection: 'none' }, new Set([population]), profile);
    const fields = new Set<FieldKey>(allowed.fields);
    // A pupil's record carries the links to the guardians sent with it (project.ts).
    if (
      population === 'pupil' &&
      profile.guardians !== 'none' &&
      profile.guardianFields.includes('guardianLinks')
    )
      fields.add('guardianLinks');
    return {
      population,
      fields: [...(fields.has('name') ? [] : ['pseudonym']), ...inOrder(fieldKeys, fields)],
      idTypes: inOrder(idTypeNames, allowed.idTypes),
    };
  });
}

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

/** A recipient as one row of `recipients list`. */
export interface RecipientSummary {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly country: string;
  readonly dpaReference: string;
  readonly transport: string;
  readonly populations: readonly string[];
  readonly guardians: string;
  readonly pseudonymised: boolean;
  readonly override: boolean;
  readonly widenings: readonly string[];
  readonly relaysTo: readonly string[];
  readonly receives: readonly PopulationDisclosure[];
}

export function summariseRecipient(config: RecipientConfig): RecipientSummary {
  const profile = config.resolvedProfile;
  return {
    id: config.id,
    kind: config.kind,
    name: config.name,
    country: config.processing.country,
    dpaReference: config.processing.dpaReference,
    transport: config.transport.kind,
    populations: [...profile.populations],
    guardians: profile.guardians,
    pseudonymised: profile.pseudonymise,
    override: config.override !== undefined,
    widenings: [...config.widenings],
    relaysTo: [...(config.relaysTo ?? [])],
    receives: populationDisclosures(profile),
  };
}

/** How a profile key compares with the kind's default. */
export type KeyChange = 'narrowed' | 'widened' | 'narrowed and widened';

/**
 * Which keys of the effective profile differ from the kind's default, and how: narrowing is what the
 * config's `profile` may do; widening only comes from an `override`.
 */
export function changesFromDefault(config: RecipientConfig): Partial<Record<keyof Profile, KeyChange>> {
  const defaults = kindDefaults[config.kind];
  const profile = config.resolvedProfile;
  const changes: Partial<Record<keyof Profile, KeyChange>> = {};
  for (const key of profileKeys) {
    let narrowed = false;
    let widened = false;
    if ((listKeys as readonly string[]).includes(key)) {
      const effective = profile[key] as readonly string[];
      const base = defaults[key] as readonly string[];
      narrowed = base.some((value) => !effective.includes(value));
      widened = effective.some((value) => !base.includes(value));
    } else if (JSON.stringify(profile[key]) !== JSON.stringify(defaults[key])) {
      widened = config.widenings.some((widening) => widening.startsWith(`${key}=`));
      narrowed = !widened;
    }
    if (narrowed || widened)
      changes[key] = narrowed && widened ? 'narrowed and widened' : narrowed ? 'narrowed' : 'widened';
  }
  return changes;
}

/** Where a pseudonymised recipient's key comes from, never the key itself. */
export function describePseudonymKey(config: RecipientConfig): string | null {
  const source = config.pseudonymKey;
  if (source !== undefined) return 'env' in source ? `env:${source.env}` : `file:${source.file}`;
  return config.resolvedProfile.pseudonymise ? 'generated (kept in the hub database)' : null;
}

/** `recipients show`: everything about one recipient an operator or privacy officer reviews, no secrets. */
export interface RecipientDescription {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly purpose: string;
  readonly legalBasis: string;
  readonly processing: { readonly country: string; readonly eea: true; readonly dpaReference: string };
  readonly contact: { readonly name: string; readonly email: string; readonly phone?: string };
  readonly relaysTo: readonly string[];
  readonly schedule: { readonly full?: string; readonly delta?: string };
  /** Feed types accepted, heartbeat, the delta safety limits and freeze windows. */
  readonly feed: RecipientConfig['feed'];
  readonly transport: { readonly kind: string };
  readonly pseudonymKey: string | null;
  readonly override: { readonly reason: string; readonly widenings: readonly string[] } | null;
  readonly profile: Profile;
  readonly changedFromDefault: Partial<Record<keyof Profile, KeyChange>>;
  readonly receives: readonly PopulationDisclosure[];
}

export function describeRecipient(config: RecipientConfig): RecipientDescription {
  return {
    id: config.id,
    name: config.name,
    kind: config.kind,
    purpose: config.purpose,
    legalBasis: config.legalBasis,
    // The config schema refuses any country outside the EU/EEA (R6).
    processing: {
      country: config.processing.country,
      eea: true,
      dpaReference: config.processing.dpaReference,
    },
    contact: { ...config.contact },
    relaysTo: [...(config.relaysTo ?? [])],
    schedule: { ...config.schedule },
    feed: config.feed,
    transport: { kind: config.transport.kind },
    pseudonymKey: describePseudonymKey(config),
    override:
      config.override === undefined
        ? null
        : { reason: config.override.reason, widenings: [...config.widenings] },
    profile: config.resolvedProfile,
    changedFromDefault: changesFromDefault(config),
    receives: populationDisclosures(config.resolvedProfile),
  };
}

/** A profile or config value as one line of text. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface ListDifference {
  readonly key: string;
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
}

export interface ScalarDifference {
  readonly key: string;
  readonly a: string;
  readonly b: string;
}

/** How two recipients differ, key by key. */
export interface RecipientDiff {
  readonly a: string;
  readonly b: string;
  readonly lists: readonly ListDifference[];
  readonly scalars: readonly ScalarDifference[];
  readonly identical: boolean;
}

type Comparable = string | readonly (string | number)[] | undefined;

function compare(
  key: string,
  a: Comparable,
  b: Comparable,
  lists: ListDifference[],
  scalars: ScalarDifference[],
): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = a.map(String);
    const right = b.map(String);
    const onlyA = left.filter((value) => !right.includes(value));
    const onlyB = right.filter((value) => !left.includes(value));
    if (onlyA.length > 0 || onlyB.length > 0) lists.push({ key, onlyA, onlyB });
    return;
  }
  const left = formatValue(a);
  const right = formatValue(b);
  if (left !== right) scalars.push({ key, a: left, b: right });
}

/**
 * Two recipients' differences: the effective profiles key by key (for lists what only one has, for
 * scalars both values), then what the disclosure log and privacy declaration show of each (kind,
 * legal basis, purpose, processing country and DPA, override, relays, transport kind).
 */
export function diffRecipients(a: RecipientConfig, b: RecipientConfig): RecipientDiff {
  const lists: ListDifference[] = [];
  const scalars: ScalarDifference[] = [];
  const scalar = (value: unknown): Comparable =>
    value === undefined ? undefined : Array.isArray(value) ? value : formatValue(value);
  compare('kind', a.kind, b.kind, lists, scalars);
  compare('legalBasis', a.legalBasis, b.legalBasis, lists, scalars);
  compare('purpose', a.purpose, b.purpose, lists, scalars);
  compare('processing.country', a.processing.country, b.processing.country, lists, scalars);
  compare('processing.dpaReference', a.processing.dpaReference, b.processing.dpaReference, lists, scalars);
  for (const key of profileKeys) {
    compare(key, scalar(a.resolvedProfile[key]), scalar(b.resolvedProfile[key]), lists, scalars);
  }
  compare('override.reason', a.override?.reason, b.override?.reason, lists, scalars);
  compare('override.widenings', a.widenings, b.widenings, lists, scalars);
  compare('relaysTo', a.relaysTo ?? [], b.relaysTo ?? [], lists, scalars);
  compare('feed.accepts', a.feed?.accepts ?? [], b.feed?.accepts ?? [], lists, scalars);
  compare('feed.heartbeat', scalar(a.feed?.heartbeat), scalar(b.feed?.heartbeat), lists, scalars);
  for (const limit of ['maxDeletePercent', 'maxChangePercent'] as const) {
    compare(
      `feed.safety.${limit}`,
      scalar(a.feed?.safety[limit]),
      scalar(b.feed?.safety[limit]),
      lists,
      scalars,
    );
  }
  compare('feed.freeze', freezeWindows(a), freezeWindows(b), lists, scalars);
  compare(
    'pseudonymKey',
    describePseudonymKey(a) ?? undefined,
    describePseudonymKey(b) ?? undefined,
    lists,
    scalars,
  );
  compare('transport.kind', a.transport.kind, b.transport.kind, lists, scalars);
  return { a: a.id, b: b.id, lists, scalars, identical: lists.length === 0 && scalars.length === 0 };
}

/** Freeze windows as `from..to` (with the reason when given), for diffs and `recipients show`. */
export function freezeWindows(config: Pick<RecipientConfig, 'feed'>): string[] {
  return (config.feed?.freeze ?? []).map(
    (window) => `${window.from}..${window.to}${window.reason === undefined ? '' : ` (${window.reason})`}`,
  );
}

/** The category groups a disclosure answer is printed in (R5: categories, not values). */
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

/** `identity: name, bday; identifiers: personNIN; memberships` */
export function formatGroupedCategories(grouped: GroupedCategories): string {
  const parts = Object.entries(grouped.groups).map(([group, labels]) => `${group}: ${labels.join(', ')}`);
  if (grouped.memberships) parts.push('memberships');
  return parts.length === 0 ? '(none)' : parts.join('; ');
}
