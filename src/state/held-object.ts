import { hash } from 'node:crypto';
import { compareKeys, type GroupType, type Membership, type MembershipRole } from '../model/index.js';
import { isRoletypeCode, roleOfRoletype, roleType } from '../pifu/index.js';

/** The three kinds of object a recipient holds, in the order a feed's sections come. */
export const objectTypes = ['person', 'group', 'membership'] as const;
export type ObjectType = (typeof objectTypes)[number];

/** Stored as 1, 2, 3 so state streams in feed-section order. */
export const objectTypeCode: Readonly<Record<ObjectType, number>> = { person: 1, group: 2, membership: 3 };

/** What a delete record of a group needs (PIFU requires its type and a parent); never personal data. */
export interface GroupDetail {
  readonly type: GroupType;
  readonly parentKey: string;
}

/**
 * One object a recipient holds, as the hub remembers it: its key and the hash of exactly what was sent
 * (R2: never the values). Persons are keyed by the records store's key even when the recipient knows
 * them by a pseudonym; memberships by what the feed said (see membershipStateKey).
 */
export interface HeldObject {
  readonly type: ObjectType;
  readonly key: string;
  readonly hash: string;
  readonly detail?: GroupDetail;
  /**
   * A person's input hash: the digest of everything their projection was made from (see
   * RecipientView.personsReusing). Equal input hash, equal projection, so equal `hash`.
   */
  readonly inputHash?: string;
}

/**
 * 128 bits of SHA-256 over the object's JSON: what was sent, in a form that changes when it does. The
 * one-shot `hash` gives the same digest as a `Hash` object, without one per object (a delta hashes every
 * object in view, changed or not).
 */
export function contentHash(value: unknown): string {
  return hash('sha256', JSON.stringify(value), 'hex').slice(0, 32);
}

/**
 * A membership's state key: group, person (as the feed names them) and role, joined by U+0001. The role
 * is written as its PIFU roletype (01..08), so the keys sort exactly as the roster's canonical
 * (groupKey, personKey, roletype) order does: U+0001 sorts below any character of a key.
 */
export function membershipStateKey(membership: Pick<Membership, 'groupKey' | 'personKey' | 'role'>): string {
  return `${membership.groupKey}\u0001${membership.personKey}\u0001${roleType[membership.role]}`;
}

export function parseMembershipStateKey(key: string): {
  groupKey: string;
  personKey: string;
  role: MembershipRole;
} {
  const [groupKey = '', personKey = '', code = ''] = key.split('\u0001');
  if (!isRoletypeCode(code)) throw new TypeError(`not a membership state key: ${JSON.stringify(key)}`);
  return { groupKey, personKey, role: roleOfRoletype[code] };
}

/** One object the recipient should hold now, with its hash. */
export interface DesiredObject<T> {
  readonly key: string;
  readonly hash: string;
  readonly value: T;
}

export type DiffEntry<T> =
  | {
      readonly kind: 'add' | 'change' | 'same';
      readonly key: string;
      readonly hash: string;
      readonly value: T;
      /** What the recipient holds under the key (`change` and `same`). */
      readonly held?: HeldObject;
    }
  | { readonly kind: 'delete'; readonly key: string; readonly held: HeldObject };

/**
 * The stream-merge at the heart of a delta (docs/requirements.md#d1, #d7): desired objects against held ones,
 * both in key order, one pass, memory independent of size. Refuses out-of-order input on either side,
 * because a merge over unsorted input would silently send wrong deletes.
 */
export async function* diffSorted<T>(
  desired: AsyncIterable<DesiredObject<T>>,
  held: AsyncIterable<HeldObject>,
  what: string,
): AsyncGenerator<DiffEntry<T>> {
  const heldIterator = held[Symbol.asyncIterator]();
  let next = await heldIterator.next();
  let previousDesired: string | undefined;
  let previousHeld: string | undefined;
  const advanceHeld = async (): Promise<void> => {
    if (!next.done) {
      if (previousHeld !== undefined && compareKeys(previousHeld, next.value.key) >= 0) {
        throw new TypeError(
          `delivered ${what} state is out of key order at ${JSON.stringify(next.value.key)}`,
        );
      }
      previousHeld = next.value.key;
    }
    next = await heldIterator.next();
  };
  for await (const object of desired) {
    if (previousDesired !== undefined && compareKeys(previousDesired, object.key) >= 0) {
      throw new TypeError(`desired ${what}s are out of key order at ${JSON.stringify(object.key)}`);
    }
    previousDesired = object.key;
    while (!next.done && compareKeys(next.value.key, object.key) < 0) {
      yield { kind: 'delete', key: next.value.key, held: next.value };
      await advanceHeld();
    }
    if (!next.done && next.value.key === object.key) {
      const kind = next.value.hash === object.hash ? 'same' : 'change';
      yield { kind, key: object.key, hash: object.hash, value: object.value, held: next.value };
      await advanceHeld();
    } else {
      yield { kind: 'add', key: object.key, hash: object.hash, value: object.value };
    }
  }
  while (!next.done) {
    yield { kind: 'delete', key: next.value.key, held: next.value };
    await advanceHeld();
  }
}
