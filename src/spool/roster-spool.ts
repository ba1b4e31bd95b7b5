import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HubError } from '../errors/index.js';
import { writeFileAtomically } from '../files/index.js';
import {
  batched,
  type Group,
  type Membership,
  type Person,
  type Population,
  type Roster,
  type SelectiveRoster,
} from '../model/index.js';
import { blocksOf } from './frame-file.js';
import type { SharedSnapshot } from '../ports/source-connector.js';
import {
  encodePerson,
  readMemberships,
  readPersonFacts,
  readPersonFrames,
  readPersons,
} from './roster-frames.js';
import { releaseSharedPersonDigests, sharedPersonDigests } from './shared-digests.js';
import { releaseSharedGroups, sharedGroups } from './shared-groups.js';
import { SnapshotCounter, type RosterSpoolCounts } from './snapshot-counter.js';
import { canSpoolInWorker, spoolInWorker } from './spool-thread.js';
import {
  batchSize,
  completeSpool,
  manifestFile,
  readManifest,
  sideBySide,
  spoolFiles,
  spoolGroupsAndMemberships,
  stagingDir,
  type Writing,
} from './spool-writing.js';

/**
 * A run's one snapshot of the roster on disk (docs/requirements.md#d7): the source is read once per run, and
 * every feed job, on any worker that shares the spool directory, streams the same objects from here.
 * One file per object stream, in canonical order, of length-prefixed frames (roster-frames.ts), so a
 * recipient's view decodes only what it needs: the scope facts of every person, then only the persons
 * and the groups' memberships it sends. A spool written before frames (format 1, NDJSON) is still read.
 */

const ndjsonFiles = {
  persons: 'persons.ndjson',
  groups: 'groups.ndjson',
  memberships: 'memberships.ndjson',
} as const;

/**
 * Writes the roster into `dir`. The manifest is written last, so a directory with a manifest is a
 * complete spool, and a retried run job finding one reuses it instead of reading a newer snapshot.
 * Memory holds a block of frames per file being written (persons, and groups then memberships, side by
 * side) and the groups' positions and schools (one entry per group, never per person). A snapshot its
 * source can share with another thread has its groups and memberships spooled in a worker thread
 * (spool-thread.ts), on the second core; `threads` tells which way it went.
 */
export async function writeRosterSpool(
  roster: Roster & { readonly shared?: SharedSnapshot },
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<RosterSpoolCounts & { readonly threads: 1 | 2 }> {
  const staging = await stagingDir(dir);
  const counter = new SnapshotCounter();
  const writePersons = (writing: Writing) =>
    writeFileAtomically(
      join(staging, spoolFiles.persons),
      blocksOf(batched(roster.persons(), batchSize), (person, block) => {
        counter.person(person);
        encodePerson(person, block);
      }),
      writing,
    );
  const { shared } = roster;
  const inWorker = canSpoolInWorker(shared);
  const writeGroupsAndMemberships = inWorker
    ? async (writing: Writing) => counter.absorb(await spoolInWorker(shared, staging, writing.signal))
    : (writing: Writing) => spoolGroupsAndMemberships(roster, staging, counter, writing);
  await sideBySide(options.signal, [writePersons, writeGroupsAndMemberships]);
  const counts = counter.counts();
  await completeSpool(staging, dir, { properties: roster.properties, counts, format: 2 });
  return { ...counts, threads: inWorker ? 2 : 1 };
}

export function isCompleteRosterSpool(dir: string): boolean {
  return existsSync(join(dir, manifestFile));
}

/** Opens a complete spool as a roster; each stream may be read any number of times. */
export async function openRosterSpool(
  dir: string,
): Promise<SelectiveRoster & { readonly counts: RosterSpoolCounts }> {
  const manifest = await readManifest(dir);
  if (manifest === undefined)
    throw new HubError('PIFU_SPOOL_MISSING', `run spool ${dir} is missing or incomplete; start a new run`);
  const base = { properties: manifest.properties, counts: manifest.counts };
  if (manifest.format !== 2) {
    // Format 1: every stream in full; the selective reads filter what they decoded.
    const persons = () => readLines<Person>(join(dir, ndjsonFiles.persons));
    const groups = () => readLines<Group>(join(dir, ndjsonFiles.groups));
    const memberships = () => readLines<Membership>(join(dir, ndjsonFiles.memberships));
    return {
      ...base,
      persons,
      groups,
      memberships,
      personFacts: (populations?: readonly Population[]) =>
        populations === undefined
          ? persons()
          : filtered(persons(), (person) => person.populations.some((p) => populations.includes(p))),
      personsWhere: (keep) => filtered(persons(), (person) => keep(person.key)),
      membershipsWhere: (keepGroup, keepRole) => groupIndexed(groups(), memberships(), keepGroup, keepRole),
    };
  }
  const path = (file: keyof typeof spoolFiles) => join(dir, spoolFiles[file]);
  return {
    ...base,
    persons: () => readPersons(path('persons')),
    groups: () => sharedGroups(path('groups')),
    memberships: () => readMemberships(path('memberships')),
    personFacts: (populations) => readPersonFacts(path('persons'), populations),
    personsWhere: (keep) => readPersons(path('persons'), keep),
    personFramesWhere: async function* (keep) {
      const digests = await sharedPersonDigests(path('persons'), manifest.counts.persons);
      yield* readPersonFrames(path('persons'), keep, digests);
    },
    membershipsWhere: (keepGroup, keepRole) => readMemberships(path('memberships'), keepGroup, keepRole),
  };
}

/**
 * The frame files of a complete spool written in frames (format 2), or undefined for any other (no
 * manifest, or NDJSON): what a comparison of two spools frame by frame reads (spool-diff.ts).
 */
export async function framedSpoolFiles(
  dir: string,
): Promise<{ persons: string; groups: string; memberships: string } | undefined> {
  const manifest = await readManifest(dir);
  if (manifest?.format !== 2) return undefined;
  return {
    persons: join(dir, spoolFiles.persons),
    groups: join(dir, spoolFiles.groups),
    memberships: join(dir, spoolFiles.memberships),
  };
}

async function* filtered<T>(items: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of items) if (keep(item)) yield item;
}

/** Format 1's memberships by group position, found by walking the (sorted) groups beside them. */
async function* groupIndexed(
  groups: AsyncIterable<Group>,
  memberships: AsyncIterable<Membership>,
  keepGroup: (groupIndex: number) => boolean,
  keepRole: (role: Membership['role']) => boolean,
): AsyncGenerator<Membership> {
  const index = new Map<string, number>();
  for await (const group of groups) index.set(group.key, index.size);
  for await (const membership of memberships) {
    if (keepRole(membership.role) && keepGroup(index.get(membership.groupKey) ?? -1)) yield membership;
  }
}

async function* readLines<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as T;
  }
}

/**
 * Lets go of what this process keeps of the spool at `dir` (its groups decoded and its persons' record
 * digests, shared by every view of the run): for when no feed of its run is left to write here, so the memory is not held through the
 * deliveries and into the next run's snapshot. A reader after it decodes them again.
 */
export function releaseRosterSpool(dir: string): void {
  releaseSharedGroups(join(dir, spoolFiles.groups));
  releaseSharedPersonDigests(join(dir, spoolFiles.persons));
}

export async function removeRosterSpool(dir: string): Promise<void> {
  releaseRosterSpool(dir);
  await rm(dir, { recursive: true, force: true });
}
