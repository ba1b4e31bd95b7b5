import type { DisclosureLine } from '../disclosure/index.js';
import type { Group, Membership } from '../model/index.js';
import type { FeedEntry, FeedPerson } from '../pifu/index.js';
import type { DisclosedMembership, DisclosedPerson, RecipientView, ViewedPerson } from '../profiles/index.js';
import { sortExternally } from '../spool/index.js';
import {
  contentHash,
  diffSorted,
  membershipStateKey,
  parseMembershipStateKey,
  type DesiredObject,
  type DiffEntry,
  type HeldObject,
  type ObjectType,
} from './held-object.js';
import { HeldLookahead } from './held-lookahead.js';
import type { StateLine } from './state-manifest.js';

/** What a resync sends again as new, whatever the recipient is believed to hold. */
export interface ResendScope {
  /** Everything the recipient should hold (a whole-recipient resync). */
  readonly everything?: boolean;
  /** School group key: its groups, their memberships and the persons enrolled or employed there. */
  readonly schoolKey?: string;
  /** A person's records store key: the person and their memberships. */
  readonly personKey?: string;
}

export interface DeltaCounts {
  persons: number;
  groups: number;
  memberships: number;
  added: number;
  changed: number;
  deleted: number;
}

export interface FeedPlanOptions {
  /**
   * `full` sends everything, `delta` what differs from `held`; either way the state lines say only what
   * changed against `held`, so acknowledging a full of an unchanged roster rewrites nothing.
   */
  readonly mode: 'full' | 'delta';
  /** The recipient's held objects of one type, in key order; none when absent (first delivery). */
  readonly held?: (type: ObjectType) => AsyncIterable<HeldObject>;
  readonly resend?: ResendScope;
  /** The key the recipient knows a person by (their pseudonym when pseudonymised), for delete records. */
  readonly feedKeyOf: (personKey: string) => string;
  readonly onState: (line: StateLine) => Promise<void>;
  readonly onDisclosure: (line: DisclosureLine) => Promise<void>;
  /**
   * For a pseudonymised view: persons leave in pseudonym order, not in the order of their real keys, so
   * a person's position in the file says nothing about who they are. The person entries (adds, changes
   * and deletes alike) pass through an external sort spilling under `scratchDir`, memory bounded by
   * `chunkSize` entries. Memberships need none: they are in group order and, inside a group, in
   * pseudonym order already (the view sorts them). The delivered state keeps persons by their real key
   * (so forget, restriction and retention find them) and memberships by what the feed said, so the
   * delta merge is unchanged: only the order of the file is.
   */
  readonly pseudonymOrder?: { readonly scratchDir: string; readonly chunkSize?: number };
}

export interface FeedStreams {
  readonly orgUnits: Map<string, string>;
  readonly persons: AsyncIterable<FeedEntry<FeedPerson>>;
  readonly groups: AsyncIterable<FeedEntry<Group>>;
  readonly memberships: AsyncIterable<FeedEntry<Membership>>;
  readonly counts: Readonly<DeltaCounts>;
}

async function* desiredOf<T>(
  items: AsyncIterable<T>,
  describe: (item: T) => { key: string; hashed: unknown },
): AsyncGenerator<DesiredObject<T>> {
  for await (const item of items) {
    const { key, hashed } = describe(item);
    yield { key, hash: contentHash(hashed), value: item };
  }
}

async function* noneHeld(): AsyncGenerator<HeldObject> {}

/** A person the delta reused by input hash: never sent, disclosed or counted, so never asked for. */
function projected(person: ViewedPerson<string>): DisclosedPerson {
  if (person.disclosed === undefined) throw new TypeError('a reused person has no projection to send');
  return person.disclosed;
}

/**
 * The desired persons: projected and hashed, except — in a delta — a person whose input hash the
 * recipient holds: the view skips decoding and projecting them, and the held content hash is theirs
 * (equal inputs, equal projection), so the merge finds them unchanged.
 */
async function* desiredPersons(
  view: RecipientView,
  held: HeldLookahead,
  reusing: boolean,
): AsyncGenerator<DesiredObject<ViewedPerson<string>>> {
  const reuse = reusing
    ? async (key: string, inputHash: string): Promise<string | undefined> => {
        const object = await held.find(key);
        return object?.inputHash === inputHash ? object.hash : undefined;
      }
    : async (): Promise<undefined> => undefined;
  for await (const person of view.personsReusing(reuse)) {
    const hash = person.reused ?? contentHash(projected(person).person);
    yield { key: person.personKey, hash, value: person };
  }
}

/**
 * A recipient's feed as three entry streams for `renderFeed`, built from its view: everything for a
 * full feed; for a delta, the stream-merge of the view against what the recipient holds (recstatus 1 new,
 * 2 changed, 3 held but no longer in view). As each object passes, its state line (and, for persons and
 * memberships sent with data, its disclosure line) goes to the sinks. Delete records carry identity only:
 * the hub keeps no values of what it sent (R2), and a recipient needs none to delete.
 *
 * Deleted persons and groups take their memberships with them in the same delta (a membership is only in
 * view while both ends are), so a recipient applying it never keeps a membership of something it lost.
 */
export function feedStreams(view: RecipientView, options: FeedPlanOptions): FeedStreams {
  const counts: DeltaCounts = { persons: 0, groups: 0, memberships: 0, added: 0, changed: 0, deleted: 0 };
  const orgUnits = new Map(view.orgUnits);
  const held = options.held ?? (() => noneHeld());
  const resend = options.resend;
  const schoolGroups = new Set<string>();
  const resends = {
    person: (person: DisclosedPerson): boolean =>
      resend !== undefined &&
      (resend.everything === true ||
        resend.personKey === person.personKey ||
        (resend.schoolKey !== undefined && person.schoolKeys.includes(resend.schoolKey))),
    group: (group: Group): boolean => {
      if (resend?.everything === true) return true;
      const inSchool =
        resend?.schoolKey !== undefined &&
        (group.key === resend.schoolKey || group.schoolKey === resend.schoolKey);
      if (inSchool) schoolGroups.add(group.key);
      return inSchool;
    },
    membership: (membership: DisclosedMembership): boolean =>
      resend !== undefined &&
      (resend.everything === true ||
        resend.personKey === membership.personKey ||
        schoolGroups.has(membership.membership.groupKey)),
  };

  /** Turns diff entries into feed entries, sinking state and disclosure lines on the way. */
  async function* entries<T, O>(
    type: ObjectType,
    diff: AsyncIterable<DiffEntry<T>>,
    send: (value: T) => O,
    tombstone: (held: HeldObject) => O,
    sendAgain: (value: T) => boolean,
    stateOf: (value: T, hash: string, key: string) => StateLine,
    disclose: (value: T, unchanged: boolean) => Promise<void>,
    count: (counts: DeltaCounts) => void,
    restate: (value: T, held: HeldObject | undefined) => boolean = () => false,
  ): AsyncGenerator<FeedEntry<O>> {
    const full = options.mode === 'full';
    for await (const entry of diff) {
      if (entry.kind === 'delete') {
        await options.onState({ op: 'delete', type, key: entry.key });
        counts.deleted++;
        // A full feed is the complete data set: what it leaves out is gone, no delete record needed.
        if (full) continue;
        count(counts);
        yield { object: tombstone(entry.held), change: 'delete' };
        continue;
      }
      const kind = entry.kind === 'same' && !full && sendAgain(entry.value) ? 'add' : entry.kind;
      // The state changes only where the hash does, so a nightly full of an unchanged roster writes
      // no state rows at all; or where an unchanged object's input hash does (restate), so the next
      // delta may reuse it.
      if (kind !== 'same' || restate(entry.value, entry.held)) {
        await options.onState(stateOf(entry.value, entry.hash, entry.key));
      }
      if (kind === 'same' && !full) continue;
      if (kind === 'add') counts.added++;
      if (kind === 'change') counts.changed++;
      await disclose(entry.value, kind === 'same');
      count(counts);
      yield full || kind === 'same'
        ? { object: send(entry.value) }
        : { object: send(entry.value), change: kind };
    }
  }

  const diffOrAll = <T>(
    type: ObjectType,
    desired: AsyncIterable<DesiredObject<T>>,
  ): AsyncIterable<DiffEntry<T>> => diffSorted(desired, held(type), type);

  // Reuse needs the held object of each person before the merge reads it; a resend needs every
  // person's schools, so it projects them all.
  const heldPersons = new HeldLookahead(held('person'));
  const reusing = options.mode === 'delta' && resend === undefined;
  const persons = entries<ViewedPerson<string>, FeedPerson>(
    'person',
    diffSorted(desiredPersons(view, heldPersons, reusing), heldPersons.stream(), 'person'),
    (person) => projected(person).person,
    (dead) => ({
      key: options.feedKeyOf(dead.key),
      name: { given: '', family: '' },
      identifiers: [],
      emails: [],
      phones: [],
      addresses: [],
      guardianKeys: [],
    }),
    // Without a resend nothing is sent again, so a reused person is never asked about.
    (person) => resend !== undefined && resends.person(projected(person)),
    (person, hash, key) => ({ op: 'upsert', type: 'person', key, hash, inputHash: person.inputHash }),
    (person, unchanged) =>
      options.onDisclosure({
        kind: 'person',
        personKey: person.personKey,
        categories: projected(person).disclosed,
        ...(unchanged ? { unchanged } : {}),
      }),
    (c) => c.persons++,
    (person, heldPerson) => heldPerson !== undefined && heldPerson.inputHash !== person.inputHash,
  );

  const groups = entries<Group, Group>(
    'group',
    diffOrAll(
      'group',
      desiredOf(view.groups(), (group) => {
        // Every group of the resynced school, changed or not, so its memberships are resent too.
        resends.group(group);
        return { key: group.key, hashed: [group, orgUnits.get(group.parentKey)] };
      }),
    ),
    (group) => group,
    (dead) => {
      const detail = dead.detail ?? { type: 'basisgruppe', parentKey: dead.key };
      if (!orgUnits.has(detail.parentKey)) orgUnits.set(detail.parentKey, '');
      return {
        key: dead.key,
        type: detail.type,
        parentKey: detail.parentKey,
        shortName: '',
        identifiers: [],
        schoolTypes: [],
      };
    },
    resends.group,
    (group, hash, key) => ({
      op: 'upsert',
      type: 'group',
      key,
      hash,
      detail: { type: group.type, parentKey: group.parentKey },
    }),
    async () => {},
    (c) => c.groups++,
  );

  let previousMember: string | undefined;
  const memberships = entries<DisclosedMembership, Membership>(
    'membership',
    diffOrAll(
      'membership',
      desiredOf(view.memberships(), (member) => ({
        key: membershipStateKey(member.membership),
        hashed: member.membership,
      })),
    ),
    (member) => member.membership,
    (dead) => ({ ...parseMembershipStateKey(dead.key), isActive: false, isPrimary: false }),
    resends.membership,
    (_member, hash, key) => ({ op: 'upsert', type: 'membership', key, hash }),
    async (member) => {
      // Consecutive records of one person (several roles in one group) need one line, not one each.
      if (member.personKey === previousMember) return;
      previousMember = member.personKey;
      await options.onDisclosure({ kind: 'member', personKey: member.personKey });
    },
    (c) => c.memberships++,
  );

  const order = options.pseudonymOrder;
  const sortedPersons =
    order === undefined
      ? persons
      : sortExternally(persons, (entry) => entry.object.key, {
          dir: order.scratchDir,
          ...(order.chunkSize === undefined ? {} : { chunkSize: order.chunkSize }),
        });
  return { orgUnits, persons: sortedPersons, groups, memberships, counts };
}
