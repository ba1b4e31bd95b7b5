import { readFile } from 'node:fs/promises';
import { compareKeys, type Membership, type PersonScopeFacts } from '../model/index.js';
import { membershipFrames, personFrameFacts, personFrameKey, personFrames } from './roster-frames.js';
import { framedSpoolFiles } from './roster-spool.js';

/**
 * Where two spools of the same source may make a recipient's view differ, found by comparing their
 * frames (src/feed/incremental-delta.ts says why these sets are enough):
 *
 * - `changedPersons` (D): persons whose frame differs, or who are in one spool only;
 * - `rolesMayDiffer` (F): D and every guardian a D person links to, in either spool — the only
 *   persons whose roles in any view can differ, as long as the views' schools do not;
 * - `recordsMayDiffer` (P): F and every person whose record (in the current spool) links to one of F
 *   as guardian — the only persons whose record in a view can differ;
 * - `memberships`: of each spool, in its order, every membership whose frame differs or is in that
 *   spool only, and every membership of a person in F;
 * - `groupsEqual`: whether the groups files are byte for byte the same.
 *
 * Work for any two complete framed spools, however they were written: persons are compared by key and
 * frame bytes, memberships by their JSON (a frame's group index moves when a group is added before it),
 * groups as whole files. Memory: the sets and the memberships listed, never a whole spool.
 */
export interface SpoolDiff {
  readonly groupsEqual: boolean;
  readonly changedPersons: ReadonlySet<string>;
  readonly rolesMayDiffer: ReadonlySet<string>;
  readonly recordsMayDiffer: ReadonlySet<string>;
  readonly memberships: { readonly base: readonly Membership[]; readonly current: readonly Membership[] };
  /**
   * From the current spool, the scope facts of every person whose roles the part of a view P and the
   * listed memberships make reads — P, the guardians a P person links to, the persons of the current
   * memberships listed — and of every person linking to one of them as guardian: roles settled over
   * these facts alone are those the whole pass settles, for the persons read (src/feed/incremental-delta.ts).
   */
  readonly scopeFacts: readonly PersonScopeFacts[];
}

interface PersonFrameBytes {
  readonly key: string;
  /** The whole frame (lengths, key, scope facts, record). */
  readonly bytes: Buffer;
  readonly facts: () => PersonScopeFacts;
}

interface MembershipFrameBytes {
  readonly roleIndex: number;
  /** The membership's JSON. */
  readonly json: Buffer;
}

/** Undefined when either spool is not a complete framed one (then nothing is assumed). */
export async function diffRosterSpools(baseDir: string, currentDir: string): Promise<SpoolDiff | undefined> {
  const base = await framedSpoolFiles(baseDir);
  const current = await framedSpoolFiles(currentDir);
  if (base === undefined || current === undefined) return undefined;
  const groupsEqual = (await readFile(base.groups)).equals(await readFile(current.groups));

  const changedPersons = new Set<string>();
  const rolesMayDiffer = new Set<string>();
  const changed = (frame: PersonFrameBytes): void => {
    changedPersons.add(frame.key);
    rolesMayDiffer.add(frame.key);
    for (const link of frame.facts().guardians) rolesMayDiffer.add(link.guardianKey);
  };
  await mergeJoin(
    personFrameBytes(base.persons),
    personFrameBytes(current.persons),
    { keyOf: (frame) => frame.key, compare: compareKeys },
    (a, b) => a.bytes.equals(b.bytes),
    (a, b) => {
      if (a !== undefined) changed(a);
      if (b !== undefined) changed(b);
    },
  );

  const recordsMayDiffer = new Set(rolesMayDiffer);
  // Whose roles the records of P read: P's own, and the guardians P's pupils link to.
  const rolesRead = new Set(rolesMayDiffer);
  for await (const frame of personFrameBytes(current.persons)) {
    const inF = rolesMayDiffer.has(frame.key);
    if (!inF && frame.bytes.indexOf(guardianKeyField) < 0) continue;
    const links = frame.facts().guardians;
    if (!inF && !links.some((link) => rolesMayDiffer.has(link.guardianKey))) continue;
    recordsMayDiffer.add(frame.key);
    rolesRead.add(frame.key);
    for (const link of links) rolesRead.add(link.guardianKey);
  }

  const memberships = { base: [] as Membership[], current: [] as Membership[] };
  const decode = (frame: MembershipFrameBytes): Membership =>
    JSON.parse(frame.json.toString('utf8')) as Membership;
  await mergeJoin(
    membershipFrameBytes(base.memberships),
    membershipFrameBytes(current.memberships),
    {
      keyOf: (frame) => ({ membership: decode(frame), roleIndex: frame.roleIndex }),
      compare: compareMemberships,
    },
    (a, b) => a.roleIndex === b.roleIndex && a.json.equals(b.json),
    (a, b) => {
      if (a !== undefined) memberships.base.push(decode(a));
      if (b !== undefined) memberships.current.push(decode(b));
    },
    (a, b) => {
      if (!rolesMayDiffer.has(personKeyOf(a.json))) return;
      memberships.base.push(decode(a));
      memberships.current.push(decode(b));
    },
  );
  for (const membership of memberships.current) rolesRead.add(membership.personKey);
  const scopeFacts: PersonScopeFacts[] = [];
  for await (const frame of personFrameBytes(current.persons)) {
    const read = rolesRead.has(frame.key);
    if (!read && frame.bytes.indexOf(guardianKeyField) < 0) continue;
    const facts = frame.facts();
    if (read || facts.guardians.some((link) => rolesRead.has(link.guardianKey))) scopeFacts.push(facts);
  }
  return { groupsEqual, changedPersons, rolesMayDiffer, recordsMayDiffer, memberships, scopeFacts };
}

const guardianKeyField = Buffer.from('"guardianKey":');
const personKeyField = Buffer.from('"personKey":"');

/** A membership's person key from its JSON, without decoding the rest (decoded when escaped). */
function personKeyOf(json: Buffer): string {
  const open = json.indexOf(personKeyField);
  const from = open + personKeyField.length;
  const close = open < 0 ? -1 : json.indexOf(0x22, from);
  if (close < 0 || json.subarray(from, close).includes(0x5c)) {
    return (JSON.parse(json.toString('utf8')) as Membership).personKey;
  }
  return json.toString('utf8', from, close);
}

/** Canonical membership order (see Roster): group, person, then role in roletype order. */
function compareMemberships(
  a: { membership: Membership; roleIndex: number },
  b: { membership: Membership; roleIndex: number },
): number {
  return (
    compareKeys(a.membership.groupKey, b.membership.groupKey) ||
    compareKeys(a.membership.personKey, b.membership.personKey) ||
    a.roleIndex - b.roleIndex
  );
}

/**
 * Walks two streams in canonical order side by side: `differ` gets each pair of the same key whose
 * frames are not equal, and each frame of one stream only (the other side undefined); `same` each
 * equal pair. Equal frames are taken as the same object without decoding; `keyOf` decodes only where
 * they are not (a frame is valid until its stream moves on, a key is kept). Refuses a stream out of
 * order: a join over unsorted input would miss differences.
 */
async function mergeJoin<T, K>(
  base: AsyncIterable<T>,
  current: AsyncIterable<T>,
  keys: { keyOf: (item: T) => K; compare: (a: K, b: K) => number },
  equal: (a: T, b: T) => boolean,
  differ: (a: T | undefined, b: T | undefined) => void,
  same: (a: T, b: T) => void = () => undefined,
): Promise<void> {
  const left = base[Symbol.asyncIterator]();
  const right = current[Symbol.asyncIterator]();
  const next = async (items: AsyncIterator<T>, previous: T): Promise<IteratorResult<T>> => {
    const key = keys.keyOf(previous);
    const following = await items.next();
    if (following.done !== true && keys.compare(key, keys.keyOf(following.value)) >= 0) {
      throw new TypeError('a spool compared frame by frame is out of canonical order');
    }
    return following;
  };
  let a = await left.next();
  let b = await right.next();
  while (a.done !== true || b.done !== true) {
    if (a.done !== true && b.done !== true && equal(a.value, b.value)) {
      same(a.value, b.value);
      [a, b] = [await left.next(), await right.next()];
      continue;
    }
    const step =
      a.done === true ? 1 : b.done === true ? -1 : keys.compare(keys.keyOf(a.value), keys.keyOf(b.value));
    if (step < 0 && a.done !== true) {
      differ(a.value, undefined);
      a = await next(left, a.value);
    } else if (step > 0 && b.done !== true) {
      differ(undefined, b.value);
      b = await next(right, b.value);
    } else if (a.done !== true && b.done !== true) {
      differ(a.value, b.value);
      [a, b] = [await next(left, a.value), await next(right, b.value)];
    }
  }
}

/** Each person frame undecoded, with its key; its scope facts decoded only when asked. */
async function* personFrameBytes(path: string): AsyncGenerator<PersonFrameBytes> {
  for await (const { buffer, starts, length } of personFrames(path)) {
    for (const at of starts) {
      yield {
        key: personFrameKey(buffer, at),
        bytes: buffer.subarray(at, at + length(at)),
        facts: () => personFrameFacts(buffer, at),
      };
    }
  }
}

async function* membershipFrameBytes(path: string): AsyncGenerator<MembershipFrameBytes> {
  for await (const { buffer, starts, length } of membershipFrames(path)) {
    for (const at of starts) {
      yield { roleIndex: buffer.readUInt8(at + 4), json: buffer.subarray(at + 9, at + length(at)) };
    }
  }
}
