import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/index.js';
import { compareKeys, type Group, type Membership, type Person, type Roster } from '../model/index.js';
import type { SnapshotChanges } from '../ports/source-connector.js';
import { FrameBlock, KeptRun } from './frame-file.js';
import { KeyBound } from './frame-keys.js';
import {
  encodeMembership,
  encodePerson,
  membershipFrameGroup,
  membershipFrameGroupIndex,
  membershipFrames,
  personFrameFacts,
  personFrameKey,
  personFrames,
  readGroups,
  setMembershipFrameGroup,
} from './roster-frames.js';
import { SnapshotCounter, type RosterSpoolCounts } from './snapshot-counter.js';
import {
  changedPersonsFile,
  completeSpool,
  readManifest,
  sideBySide,
  spoolFiles,
  spoolGroups,
  stagingDir,
  type GroupPositions,
  type Writing,
} from './spool-writing.js';

/**
 * A run's spool written from an earlier run's spool and what changed since (docs/architecture.md, "The
 * incremental snapshot"): the frames of the persons that did not change are copied byte for byte, the
 * changed persons are read and encoded afresh, and the two merged in key order; the memberships of the
 * groups whose memberships did not change are copied likewise (their group position set anew, since
 * groups may have come and gone), the others read afresh; the groups that did not change are taken from
 * the base, the changed ones read afresh. A person's (or group's) frame is a function of the source rows
 * the changed keys cover, so the result is byte for byte the spool a
 * full read of the same snapshot writes (a property test holds it to that).
 */

/** An earlier run's complete spool of the same source. */
export interface SpoolBase {
  readonly runId: string;
  readonly dir: string;
}

/**
 * Past this share of the earlier snapshot's persons changed, the full read is about as quick, and the
 * changed keys would make the source's statements long: read everything.
 */
const mostChangedShare = 0.25;

/**
 * Writes the incremental spool of `roster` into `dir`, or does nothing and returns undefined when it
 * must be read whole: the base is not a complete spool of this format from this source with a marker
 * (removed by retention, written before), or `changes` cannot tell what changed since it, or too much did.
 */
export async function writeIncrementalRosterSpool(
  roster: Roster,
  changes: SnapshotChanges,
  base: SpoolBase,
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ counts: RosterSpoolCounts; persons: number } | undefined> {
  const manifest = await readManifest(base.dir);
  const marker = manifest?.properties.sourceMarker;
  if (
    manifest?.format !== 2 ||
    manifest.counts.schools === undefined ||
    manifest.properties.source !== roster.properties.source ||
    marker === undefined
  )
    return undefined;
  const changed = await changes.since(marker);
  if (changed === undefined || changed.personKeys.length > mostChangedShare * manifest.counts.persons)
    return undefined;
  const staging = await stagingDir(dir);
  const counter = SnapshotCounter.withPersonsOf(manifest.counts);
  const from = (file: keyof typeof spoolFiles) => join(base.dir, spoolFiles[file]);
  const to = (file: keyof typeof spoolFiles) => join(staging, spoolFiles[file]);
  const personKeys = new Set(changed.personKeys);
  const writePersons = (writing: Writing) =>
    writeFileAtomically(
      to('persons'),
      mergedPersons(from('persons'), personKeys, changes.persons(changed.personKeys), counter),
      writing,
    );
  const writeGroupsAndMemberships = async (writing: Writing) => {
    const baseGroups: string[] = [];
    const groups = mergedGroups(
      from('groups'),
      baseGroups,
      new Set(changed.groupKeys),
      changes.groups(changed.groupKeys),
    );
    const positions = await spoolGroups(groups, to('groups'), counter, writing);
    await writeFileAtomically(
      to('memberships'),
      mergedMemberships(
        { path: from('memberships'), groupKeys: baseGroups },
        new Set(changed.membershipGroupKeys),
        changes.memberships(changed.membershipGroupKeys),
        positions,
        counter,
      ),
      writing,
    );
  };
  await sideBySide(options.signal, [writePersons, writeGroupsAndMemberships]);
  // One string, one write: given the keys as a list, writeFile wrote each line alone (7,699 writes,
  // 0.4 s of the Oslo delta's snapshot spent waiting on them).
  await writeFile(join(staging, changedPersonsFile), changed.personKeys.map((key) => `${key}\n`).join(''), {
    mode: 0o600,
  });
  const counts = counter.counts();
  const persons = changed.personKeys.length;
  await completeSpool(staging, dir, {
    properties: roster.properties,
    counts,
    format: 2,
    incremental: { sinceRunId: base.runId, persons },
  });
  return { counts, persons };
}

/** Reads an async stream one item ahead, so a merge can look at the next item without awaiting. */
class Ahead<T> {
  head: T | undefined;
  readonly #items: AsyncIterator<T>;
  constructor(items: AsyncIterable<T>) {
    this.#items = items[Symbol.asyncIterator]();
  }
  async next(): Promise<void> {
    const next = await this.#items.next();
    this.head = next.done === true ? undefined : next.value;
  }
}

/**
 * The base's person frames, less those of the changed persons (taken away from the counts), merged in
 * key order with the changed persons as read now (the changed persons the snapshot no longer holds
 * are simply not there).
 */
async function* mergedPersons(
  basePath: string,
  changed: ReadonlySet<string>,
  read: AsyncIterable<Person>,
  counter: SnapshotCounter,
): AsyncGenerator<Buffer> {
  const block = new FrameBlock();
  const fresh = new Ahead(read);
  await fresh.next();
  const add = (person: Person) => {
    counter.person(person);
    encodePerson(person, block);
  };
  // Nearly every frame comes before the next changed key and the next person read: such a frame is
  // kept, told by its key's bytes against that one key's, with no string made. The others are looked
  // at as keys; past one, the next changed key is sought again.
  const changedKeys = [...changed].sort(compareKeys);
  let next = 0;
  let bound: KeyBound | undefined;
  for await (const { buffer, starts, length } of personFrames(basePath)) {
    const kept = new KeptRun(block, buffer);
    for (const at of starts) {
      if (bound !== undefined && bound.isAbove(buffer, at + 12, buffer.readUInt32LE(at))) {
        kept.extend(at, at + length(at));
        continue;
      }
      const key = personFrameKey(buffer, at);
      while (next < changedKeys.length && compareKeys(changedKeys[next] as string, key) < 0) next++;
      if (fresh.head !== undefined && compareKeys(fresh.head.key, key) < 0) kept.flush();
      while (fresh.head !== undefined && compareKeys(fresh.head.key, key) < 0) {
        add(fresh.head);
        await fresh.next();
      }
      if (changed.has(key)) {
        kept.flush();
        counter.personRemoved(personFrameFacts(buffer, at));
      } else kept.extend(at, at + length(at));
      bound = KeyBound.of(firstOf(changedKeys[next], fresh.head?.key));
      if (block.full) yield block.take();
    }
    kept.flush();
    if (block.full) yield block.take();
  }
  for (; fresh.head !== undefined; await fresh.next()) {
    add(fresh.head);
    if (block.full) yield block.take();
  }
  if (block.size > 0) yield block.take();
}

/** The smaller of two keys; undefined when neither is there. */
function firstOf(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || compareKeys(a, b) <= 0 ? a : b;
}

/**
 * The base's groups, less the changed ones, merged in key order with the changed groups as read now
 * (those the snapshot no longer holds are simply not there); every base group's key is put in
 * `baseKeys`, its position in the base's groups file. A group is decoded and encoded again, which gives
 * its frame's bytes back (JSON.stringify of what JSON.parse made of JSON.stringify's text).
 */
async function* mergedGroups(
  basePath: string,
  baseKeys: string[],
  changed: ReadonlySet<string>,
  read: AsyncIterable<Group>,
): AsyncGenerator<Group> {
  const fresh = new Ahead(read);
  await fresh.next();
  for await (const group of readGroups(basePath)) {
    baseKeys.push(group.key);
    for (; fresh.head !== undefined && compareKeys(fresh.head.key, group.key) < 0; await fresh.next())
      yield fresh.head;
    if (!changed.has(group.key)) yield group;
  }
  for (; fresh.head !== undefined; await fresh.next()) yield fresh.head;
}

/**
 * The base's membership frames, less those of the groups whose memberships changed, each given its
 * group's position in the new groups file, merged in group order with the changed groups' memberships
 * as read now. Group by group: a group's memberships all come from one side.
 */
async function* mergedMemberships(
  base: { readonly path: string; readonly groupKeys: readonly string[] },
  changedGroups: ReadonlySet<string>,
  read: AsyncIterable<Membership>,
  { index, schools }: GroupPositions,
  counter: SnapshotCounter,
): AsyncGenerator<Buffer> {
  const block = new FrameBlock();
  const fresh = new Ahead(read);
  await fresh.next();
  const add = (membership: Membership) => {
    const at = index.get(membership.groupKey);
    counter.membership(at === undefined ? undefined : schools[at]);
    encodeMembership(membership, at, block);
  };
  // Consecutive frames of one group (nearly all of them) share its key, whether its memberships were
  // read afresh, its new position and school: worked out once per group, not once per frame. The fresh
  // memberships before a group are all taken at its first frame, so the frames after it need no look.
  let group: { index: number | undefined; key: string; dropped: boolean; position: number | undefined } = {
    index: undefined,
    key: '',
    dropped: false,
    position: undefined,
  };
  let school: string | undefined;
  // The group's frames kept, counted when the next group starts (one count a group, not one a frame).
  let keptOfGroup = 0;
  let first = true;
  for await (const { buffer, starts, length } of membershipFrames(base.path)) {
    const kept = new KeptRun(block, buffer);
    for (const at of starts) {
      const written = membershipFrameGroupIndex(buffer, at);
      if (first || written === undefined || written !== group.index) {
        const groupKey = membershipFrameGroup(buffer, at, base.groupKeys);
        if (first || groupKey !== group.key) {
          first = false;
          if (fresh.head !== undefined && compareKeys(fresh.head.groupKey, groupKey) < 0) kept.flush();
          while (fresh.head !== undefined && compareKeys(fresh.head.groupKey, groupKey) < 0) {
            add(fresh.head);
            await fresh.next();
          }
          counter.memberships(school, keptOfGroup);
          keptOfGroup = 0;
          const position = index.get(groupKey);
          group = { index: written, key: groupKey, dropped: changedGroups.has(groupKey), position };
          school = position === undefined ? undefined : schools[position];
        } else group.index = written;
      }
      if (group.dropped) {
        kept.flush();
        continue;
      }
      // In the block read, which is this reader's until the next: the run is then copied as it is.
      setMembershipFrameGroup(buffer, at, group.position);
      kept.extend(at, at + length(at));
      keptOfGroup++;
      if (block.full) yield block.take();
    }
    kept.flush();
    if (block.full) yield block.take();
  }
  counter.memberships(school, keptOfGroup);
  for (; fresh.head !== undefined; await fresh.next()) {
    add(fresh.head);
    if (block.full) yield block.take();
  }
  if (block.size > 0) yield block.take();
}
