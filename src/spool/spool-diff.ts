import { readFile } from 'node:fs/promises';
import {
  compareKeys,
  type Group,
  type Membership,
  type PersonFrame,
  type PersonScopeFacts,
} from '../model/index.js';
import { FrameBlock } from './frame-file.js';
import { FrameCursor } from './frame-cursor.js';
import {
  keyHash,
  membershipFramePersonKey,
  membershipFramePersonKeyHash,
  personFrameGuardianKeys,
  personFrameKeyHash,
  personFrameMayLinkTo,
} from './frame-keys.js';
import {
  groupFrameAt,
  groupFrameRanges,
  membershipFrameMembership,
  membershipFrameRole,
  membershipFrames,
  personFrameAt,
  personFrameFacts,
  personFrameKey,
  personFrameLength,
  personFrames,
  sameMembershipFrames,
  samePersonFrames,
} from './roster-frames.js';
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
 * - `groups`: undefined when the groups files are byte for byte the same; else the base's groups
 *   whose frame differs or that it alone has, and the keys of the current's such groups.
 *
 * Work for any two complete framed spools, however they were written: persons are compared by key and
 * frame bytes, memberships by role and JSON (a frame's group index moves when a group is added before
 * it), groups by key and frame bytes. Each file is walked a block at a time, a frame decoded only where
 * it matters. Memory: the sets, the groups and memberships listed and the frames of P kept (up to
 * `keptRecordBytes`), never a whole spool.
 */
export interface SpoolDiff {
  readonly groups: { readonly base: readonly Group[]; readonly current: ReadonlySet<string> } | undefined;
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
  /**
   * The current spool's frames of the persons of P, in key order, kept from the comparison so a view
   * of P reads no spool file again; undefined when they were more than `keptRecordBytes`.
   */
  readonly records: (() => Iterable<PersonFrame>) | undefined;
}

/** At most this many bytes of P's frames are kept; past it, a view reads them from the spool. */
const keptRecordBytes = 48 << 20;

/** Undefined when either spool is not a complete framed one (then nothing is assumed). */
export async function diffRosterSpools(baseDir: string, currentDir: string): Promise<SpoolDiff | undefined> {
  const base = await framedSpoolFiles(baseDir);
  const current = await framedSpoolFiles(currentDir);
  if (base === undefined || current === undefined) return undefined;
  const groups = diffGroups(await readFile(base.groups), await readFile(current.groups));

  // D and F: the persons files side by side.
  const changedPersons = new Set<string>();
  const rolesMayDiffer = new Set<string>();
  const changed = (buffer: Buffer, at: number, key: string): void => {
    changedPersons.add(key);
    rolesMayDiffer.add(key);
    for (const guardianKey of personFrameGuardianKeys(buffer, at)) rolesMayDiffer.add(guardianKey);
  };
  await mergeJoin(personFrames(base.persons), personFrames(current.persons), {
    same: (a, b) => samePersonFrames(a.buffer, a.at, b.buffer, b.at),
    keyOf: personFrameKey,
    compare: compareKeys,
    differ: (a, b) => {
      if (a !== undefined) changed(a.buffer, a.at, a.key);
      if (b !== undefined) changed(b.buffer, b.at, b.key);
    },
  });

  // P, and whose roles the records of P read: P's own, and the guardians P's pupils link to.
  const recordsMayDiffer = new Set(rolesMayDiffer);
  const rolesRead = new Set(rolesMayDiffer);
  let kept: { block: FrameBlock; starts: number[] } | undefined = { block: new FrameBlock(), starts: [] };
  const hashesOfF = new Set([...rolesMayDiffer].map(keyHash));
  await (
    await FrameCursor.open(personFrames(current.persons))
  ).forEach((buffer, at) => {
    // Most persons neither are in F nor link to one: told by the keys' hashes, without decoding them.
    if (!hashesOfF.has(personFrameKeyHash(buffer, at)) && !personFrameMayLinkTo(buffer, at, hashesOfF))
      return;
    const key = personFrameKey(buffer, at);
    const links = personFrameGuardianKeys(buffer, at);
    if (!rolesMayDiffer.has(key) && !links.some((link) => rolesMayDiffer.has(link))) return;
    recordsMayDiffer.add(key);
    rolesRead.add(key);
    for (const link of links) rolesRead.add(link);
    if (kept === undefined) return;
    kept.starts.push(kept.block.size);
    kept.block.copy(buffer, at, at + personFrameLength(buffer, at));
    if (kept.block.size > keptRecordBytes) kept = undefined;
  });

  const memberships = { base: [] as Membership[], current: [] as Membership[] };
  const decoded = (side: Side<MembershipOrder>) => side.key.membership;
  await mergeJoin(membershipFrames(base.memberships), membershipFrames(current.memberships), {
    same: (a, b) => sameMembershipFrames(a.buffer, a.at, b.buffer, b.at),
    keyOf: (buffer, at) => ({
      membership: membershipFrameMembership(buffer, at),
      roleIndex: membershipFrameRole(buffer, at),
    }),
    compare: compareMemberships,
    differ: (a, b) => {
      if (a !== undefined) memberships.base.push(decoded(a));
      if (b !== undefined) memberships.current.push(decoded(b));
    },
    sameFrame: (a, b) => {
      // Most persons are not in F: told by the key's hash, without decoding it.
      const hash = membershipFramePersonKeyHash(b.buffer, b.at);
      if (hash >= 0 && !hashesOfF.has(hash)) return;
      if (!rolesMayDiffer.has(membershipFramePersonKey(b.buffer, b.at))) return;
      memberships.base.push(membershipFrameMembership(a.buffer, a.at));
      memberships.current.push(membershipFrameMembership(b.buffer, b.at));
    },
  });
  for (const membership of memberships.current) rolesRead.add(membership.personKey);

  const scopeFacts: PersonScopeFacts[] = [];
  const hashesRead = new Set([...rolesRead].map(keyHash));
  await (
    await FrameCursor.open(personFrames(current.persons))
  ).forEach((buffer, at) => {
    if (!hashesRead.has(personFrameKeyHash(buffer, at)) && !personFrameMayLinkTo(buffer, at, hashesRead))
      return;
    const read = rolesRead.has(personFrameKey(buffer, at));
    if (read || personFrameGuardianKeys(buffer, at).some((link) => rolesRead.has(link))) {
      scopeFacts.push(personFrameFacts(buffer, at));
    }
  });
  const records = kept === undefined ? undefined : keptFrames(kept.block, kept.starts);
  return { groups, changedPersons, rolesMayDiffer, recordsMayDiffer, memberships, scopeFacts, records };
}

function keptFrames(block: FrameBlock, starts: readonly number[]): () => Iterable<PersonFrame> {
  const buffer = block.take();
  return function* () {
    for (const at of starts) yield personFrameAt(buffer, at);
  };
}

/**
 * The groups that differ, from the two groups files whole (few: one frame per group). Frames equal byte
 * for byte are passed over undecoded (a night changes a few of 27,000 groups); where they are not, both
 * are decoded and joined by key, and a file out of order there is refused, as mergeJoin does.
 */
function diffGroups(base: Buffer, current: Buffer): SpoolDiff['groups'] {
  if (base.equals(current)) return undefined;
  const differ = { base: [] as Group[], current: new Set<string>() };
  const from = groupFrameRanges(base);
  const to = groupFrameRanges(current);
  const last = { a: undefined as string | undefined, b: undefined as string | undefined };
  const decoded = (file: Buffer, ranges: readonly number[], at: number, previous: string | undefined) => {
    const group = groupFrameAt(file, ranges[at] as number, ranges[at + 1] as number);
    if (previous !== undefined && compareKeys(previous, group.key) >= 0)
      throw new TypeError('a groups file compared is out of canonical order');
    return group;
  };
  let i = 0;
  let j = 0;
  while (i < from.length || j < to.length) {
    if (i < from.length && j < to.length) {
      const aStart = from[i] as number;
      const aEnd = from[i + 1] as number;
      const bStart = to[j] as number;
      const bEnd = to[j + 1] as number;
      if (aEnd - aStart === bEnd - bStart && base.compare(current, bStart, bEnd, aStart, aEnd) === 0) {
        i += 2;
        j += 2;
        continue;
      }
    }
    const a = i < from.length ? decoded(base, from, i, last.a) : undefined;
    const b = j < to.length ? decoded(current, to, j, last.b) : undefined;
    const step = a === undefined ? 1 : b === undefined ? -1 : compareKeys(a.key, b.key);
    if (step <= 0 && a !== undefined) {
      differ.base.push(a);
      last.a = a.key;
      i += 2;
    }
    if (step >= 0 && b !== undefined) {
      differ.current.add(b.key);
      last.b = b.key;
      j += 2;
    }
  }
  return differ;
}

interface MembershipOrder {
  readonly membership: Membership;
  readonly roleIndex: number;
}

/** Canonical membership order (see Roster): group, person, then role in roletype order. */
function compareMemberships(a: MembershipOrder, b: MembershipOrder): number {
  return (
    compareKeys(a.membership.groupKey, b.membership.groupKey) ||
    compareKeys(a.membership.personKey, b.membership.personKey) ||
    a.roleIndex - b.roleIndex
  );
}

/** One side's frame where the two sides differ, with its key decoded. */
interface Side<K> {
  readonly buffer: Buffer;
  readonly at: number;
  readonly key: K;
}

/**
 * Walks two frame files in canonical order side by side: `differ` gets each pair of the same key whose
 * frames are not `same`, and each frame of one file only (the other side undefined); `sameFrame` each
 * pair that is. Equal frames are taken as the same object without decoding; keys are decoded only where
 * they are not. Refuses a file out of order where it decodes keys: a join over unsorted input would
 * miss differences.
 */
async function mergeJoin<K>(
  base: AsyncIterable<{ buffer: Buffer; starts: readonly number[] }>,
  current: AsyncIterable<{ buffer: Buffer; starts: readonly number[] }>,
  join: {
    same: (a: FrameCursor, b: FrameCursor) => boolean;
    keyOf: (buffer: Buffer, at: number) => K;
    compare: (a: K, b: K) => number;
    differ: (a: Side<K> | undefined, b: Side<K> | undefined) => void;
    sameFrame?: (a: FrameCursor, b: FrameCursor) => void;
  },
): Promise<void> {
  const a = await FrameCursor.open(base);
  const b = await FrameCursor.open(current);
  const last: { a?: K; b?: K } = {};
  const side = (cursor: FrameCursor, previous: K | undefined): Side<K> => {
    const key = join.keyOf(cursor.buffer, cursor.at);
    if (previous !== undefined && join.compare(previous, key) >= 0) {
      throw new TypeError('a spool compared frame by frame is out of canonical order');
    }
    return { buffer: cursor.buffer, at: cursor.at, key };
  };
  while (!a.done || !b.done) {
    if (!a.done && !b.done && join.same(a, b)) {
      join.sameFrame?.(a, b);
      if (!a.advance()) await a.load();
      if (!b.advance()) await b.load();
      continue;
    }
    const left = a.done ? undefined : side(a, last.a);
    const right = b.done ? undefined : side(b, last.b);
    const step = left === undefined ? 1 : right === undefined ? -1 : join.compare(left.key, right.key);
    join.differ(step <= 0 ? left : undefined, step >= 0 ? right : undefined);
    if (step <= 0 && left !== undefined) {
      last.a = left.key;
      if (!a.advance()) await a.load();
    }
    if (step >= 0 && right !== undefined) {
      last.b = right.key;
      if (!b.advance()) await b.load();
    }
  }
}
