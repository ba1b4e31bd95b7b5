import {
  groupTypes,
  membershipRoles,
  type EmailAddress,
  type PersonIdentifier,
  type PersonName,
  type PhoneNumber,
  type PostalAddress,
  type Roster,
} from '../model/index.js';
import {
  fieldKeys,
  idTypeNameOf,
  idTypeNames,
  type DisclosedPerson,
  type Profile,
  type RecipientView,
} from '../profiles/index.js';
import { roleType } from '../pifu/index.js';

/**
 * What a recipient would get from a snapshot, without writing a feed, a disclosure or a transfer
 * (`pifu-hub export --dry-run`): counts per object type, per disclosed field and per group type, and a
 * few persons with every value masked, so an operator can check a profile against real data without
 * the preview itself becoming a copy of it. Pure: it only reads the view's streams.
 */
export interface FeedPreview {
  readonly snapshotAt: string;
  readonly counts: { readonly persons: number; readonly groups: number; readonly memberships: number };
  /**
   * Persons by the populations they are registered with in the source, limited to those the profile
   * can send (guardians only when it sends guardians). A person registered in two populations (a
   * teacher who is also a guardian) counts under both. Absent when no roster was given.
   */
  readonly personsByPopulation?: Readonly<Record<string, number>>;
  /** Persons per disclosed field key or `id:<useridtype>` (DisclosedPerson.disclosed), canonical order. */
  readonly disclosedFields: Readonly<Record<string, number>>;
  readonly groupsByType: Readonly<Record<string, number>>;
  /** Membership records per PIFU roletype, keyed `01 pupil`, `02 teacher`, … */
  readonly membershipsByRole: Readonly<Record<string, number>>;
  /** School selectors of the profile that match no school in the snapshot (a config mistake). */
  readonly unmatchedSchools: readonly string[];
  readonly sample: readonly MaskedPerson[];
}

/** One person as the feed would carry them, every personal value masked. */
export interface MaskedPerson {
  /** The sourcedid the recipient gets: the hub's opaque key, or the pseudonym. Never a national number. */
  readonly key: string;
  /** `Å*** N***`, or `(pseudonym)` when the profile withholds names. */
  readonly name: string;
  readonly bday?: string;
  readonly gender?: string;
  readonly status?: string;
  readonly lang?: string;
  /** `personNIN ***01`: the id type and at most the last two characters. */
  readonly identifiers: readonly string[];
  /** `email.org a***@e***.org` */
  readonly emails: readonly string[];
  /** `mobile.private ***45` */
  readonly phones: readonly string[];
  /** `adr.registered ***, **** O***, NO` */
  readonly addresses: readonly string[];
  /** How many guardian links the record carries (the linked keys are not shown). */
  readonly guardianLinks: number;
  readonly disclosed: readonly string[];
}

export interface PreviewOptions {
  /** How many persons to show, masked; default 3. */
  readonly sampleSize?: number;
  /** The roster the view was made from, to count persons per registered population. */
  readonly roster?: Pick<Roster, 'persons'>;
  /** The view's profile: limits the populations counted to those it can send. */
  readonly profile?: Pick<Profile, 'populations' | 'guardians'>;
}

const stars = '***';

/** The first character and three stars, whatever the length: the mask tells nothing of the rest. */
function maskWord(word: string): string {
  const first = Array.from(word)[0];
  return first === undefined ? '' : `${first}${stars}`;
}

/** Every part of a name masked word by word, separators kept: `Anne-Marie Nordmann` → `A***-M*** N***`. */
export function maskName(name: Pick<PersonName, 'given' | 'middle' | 'family'>): string {
  return [name.given, name.middle, name.family]
    .filter((part): part is string => part !== undefined && part !== '')
    .map((part) =>
      part
        .split(/([\s-]+)/)
        .map((piece) => (/^[\s-]*$/.test(piece) ? piece : maskWord(piece)))
        .join(''),
    )
    .join(' ');
}

export function maskDate(_date: string): string {
  return '****-**-**';
}

/** `***` and the last two characters, but only when at least four more stay hidden. */
export function maskTail(value: string): string {
  const chars = Array.from(value);
  return chars.length >= 6 ? `${stars}${chars.slice(-2).join('')}` : stars;
}

export function maskIdentifier(identifier: PersonIdentifier): string {
  return `${idTypeNameOf[identifier.type]} ${maskTail(identifier.value)}`;
}

/** `ola.nordmann@skole.oslo.kommune.no` → `o***@s***.no`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return stars;
  const labels = address.slice(at + 1).split('.');
  const domain =
    labels.length > 1 ? `${maskWord(labels[0] ?? '')}.${labels.at(-1)}` : maskWord(labels[0] ?? '');
  return `${maskWord(address.slice(0, at))}@${domain}`;
}

const emailField: Readonly<Record<EmailAddress['kind'], string>> = {
  org: 'email.org',
  private: 'email.private',
};
const phoneField: Readonly<Record<PhoneNumber['kind'], string>> = {
  private: 'tel.private',
  mobilePrivate: 'mobile.private',
  org: 'tel.org',
  mobileOrg: 'mobile.org',
};
const addressField: Readonly<Record<PostalAddress['kind'], string>> = {
  registered: 'adr.registered',
  postal: 'adr.postal',
};

/** Street and postal code hidden, the locality's first letter and the country kept. */
export function maskAddress(address: PostalAddress): string {
  return [
    stars,
    [address.postalCode === undefined ? undefined : '****', address.locality && maskWord(address.locality)]
      .filter((part) => part !== undefined && part !== '')
      .join(' '),
    address.country,
  ]
    .filter((part) => part !== undefined && part !== '')
    .join(', ');
}

/** One person as the recipient would get them, with every personal value masked. */
export function maskPerson({ person, disclosed }: DisclosedPerson): MaskedPerson {
  const named = disclosed.includes('name');
  return {
    key: person.key,
    name: named ? maskName(person.name) : '(pseudonym)',
    ...(person.birthDate === undefined ? {} : { bday: maskDate(person.birthDate) }),
    ...(person.gender === undefined ? {} : { gender: '*' }),
    ...(person.status === undefined ? {} : { status: person.status }),
    // Målform can hint at ethnic origin (`se`), so it is masked like everything personal.
    ...(person.preferredLanguage === undefined ? {} : { lang: '**' }),
    identifiers: person.identifiers.map(maskIdentifier),
    emails: person.emails.map((email) => `${emailField[email.kind]} ${maskEmail(email.address)}`),
    phones: person.phones.map((phone) => `${phoneField[phone.kind]} ${maskTail(phone.number)}`),
    addresses: person.addresses.map((address) => `${addressField[address.kind]} ${maskAddress(address)}`),
    guardianLinks: person.guardianKeys.length,
    disclosed: [...disclosed],
  };
}

const disclosedOrder: readonly string[] = [
  'pseudonym',
  ...fieldKeys,
  ...idTypeNames.map((name) => `id:${name}`),
];

function byOrder(order: readonly string[]): (a: string, b: string) => number {
  const rank = (key: string): number => {
    const index = order.indexOf(key);
    return index === -1 ? order.length : index;
  };
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function sortedCounts(counts: Map<string, number>, order: readonly string[]): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => byOrder(order)(a, b)));
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const roleLabels = membershipRoles.map((role) => `${roleType[role]} ${role}`);

/** The population each person in the view is registered with, read alongside (both in key order). */
function populationCounter(
  roster: Pick<Roster, 'persons'>,
  profile: PreviewOptions['profile'],
): { count(personKey: string): Promise<void>; close(): Promise<void>; counts: Map<string, number> } {
  const iterator = roster.persons()[Symbol.asyncIterator]();
  const counts = new Map<string, number>();
  const sendable = new Set<string>(profile?.populations ?? ['pupil', 'staff']);
  if (profile === undefined || profile.guardians !== 'none') sendable.add('guardian');
  return {
    counts,
    async count(personKey) {
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) {
          increment(counts, 'unknown');
          return;
        }
        if (next.value.key !== personKey) continue;
        const populations = next.value.populations.filter((population) => sendable.has(population));
        for (const population of populations.length > 0 ? populations : ['unknown']) {
          increment(counts, population);
        }
        return;
      }
    },
    async close() {
      await iterator.return?.();
    },
  };
}

/**
 * Reads the view once, stream by stream, and summarises it. Memory holds the counters and the sample,
 * never the roster.
 */
export async function previewFeed(view: RecipientView, options: PreviewOptions = {}): Promise<FeedPreview> {
  const sampleSize = options.sampleSize ?? 3;
  const counts = { persons: 0, groups: 0, memberships: 0 };
  const disclosed = new Map<string, number>();
  const groups = new Map<string, number>();
  const roles = new Map<string, number>();
  const sample: MaskedPerson[] = [];
  const populations =
    options.roster === undefined ? undefined : populationCounter(options.roster, options.profile);

  try {
    for await (const person of view.persons()) {
      counts.persons++;
      for (const key of person.disclosed) increment(disclosed, key);
      if (sample.length < sampleSize) sample.push(maskPerson(person));
      await populations?.count(person.personKey);
    }
  } finally {
    await populations?.close();
  }
  for await (const group of view.groups()) {
    counts.groups++;
    increment(groups, group.type);
  }
  for await (const { membership } of view.memberships()) {
    counts.memberships++;
    increment(roles, `${roleType[membership.role]} ${membership.role}`);
  }
  return {
    snapshotAt: view.properties.snapshotAt,
    counts,
    ...(populations === undefined
      ? {}
      : { personsByPopulation: sortedCounts(populations.counts, ['pupil', 'staff', 'guardian']) }),
    disclosedFields: sortedCounts(disclosed, disclosedOrder),
    groupsByType: sortedCounts(groups, groupTypes),
    membershipsByRole: sortedCounts(roles, roleLabels),
    unmatchedSchools: [...view.unmatchedSchools],
    sample,
  };
}
