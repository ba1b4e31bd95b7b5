import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/index.js';
import { batched, type Group, type Roster, type RosterProperties } from '../model/index.js';
import { blocksOf } from './frame-file.js';
import { encodeGroup, encodeMembership } from './roster-frames.js';
import type { RosterSpoolCounts, SnapshotCounter } from './snapshot-counter.js';

/** What both spool writers (roster-spool.ts, incremental-spool.ts) share: the layout and its writing. */

export interface Manifest {
  readonly properties: RosterProperties;
  readonly counts: RosterSpoolCounts;
  readonly format?: 2;
  /**
   * Set on an incremental spool (incremental-spool.ts): the run whose spool it started from and how
   * many persons it read again, whose keys are in `changedPersonsFile`, one a line.
   */
  readonly incremental?: { readonly sinceRunId: string; readonly persons: number };
}

export const spoolFiles = {
  persons: 'persons.frames',
  groups: 'groups.frames',
  memberships: 'memberships.frames',
} as const;
export const manifestFile = 'manifest.json';
/** An incremental spool's persons read again (see Manifest.incremental). */
export const changedPersonsFile = 'changed-persons.keys';
/** How many objects the writer takes at a time from a stream its source does not batch itself. */
export const batchSize = 1_000;

/** How a spool file is written: stopped with its run, and without a digest (nothing reads one). */
export interface Writing {
  readonly signal: AbortSignal;
  readonly digest: false;
}

/** An empty directory beside `dir` to write its spool in (see completeSpool). */
export async function stagingDir(dir: string): Promise<string> {
  const staging = `${dir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  // The roster is personal data at rest: 0700 directories (the spool, runs, the run) and 0600 files.
  await mkdir(staging, { recursive: true, mode: 0o700 });
  return staging;
}

/**
 * Writes the manifest last, then puts the staging directory in place of `dir`: a directory with a
 * manifest is a complete spool, and a retried run job finding one reuses it instead of reading a newer
 * snapshot.
 */
export async function completeSpool(staging: string, dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(staging, manifestFile), JSON.stringify(manifest), { mode: 0o600 });
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
}

/** A complete spool's manifest, or undefined when there is none (never written, or removed). */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, manifestFile), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * Runs the writers side by side (the persons beside the groups and memberships, so one stream's work
 * fills the other's waits for the source); the first failure stops the others, and so does the
 * caller's abort.
 */
export async function sideBySide(
  signal: AbortSignal | undefined,
  writers: readonly ((writing: Writing) => Promise<unknown>)[],
): Promise<void> {
  const stop = new AbortController();
  const abort = () => stop.abort(signal?.reason);
  if (signal?.aborted === true) abort();
  signal?.addEventListener('abort', abort, { once: true });
  const writing = { signal: stop.signal, digest: false } as const;
  let failure: { error: unknown } | undefined;
  const stopOnFailure = (error: unknown): never => {
    failure ??= { error };
    stop.abort(error);
    throw error;
  };
  try {
    await Promise.allSettled(writers.map((write) => write(writing).catch(stopOnFailure)));
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  if (failure !== undefined) throw failure.error;
}

/** Each group's position in the groups file and its school: one entry per group, never per membership. */
export interface GroupPositions {
  readonly index: Map<string, number>;
  readonly schools: (string | undefined)[];
}

/** Writes the groups file, counting the groups, and tells where each group is in it. */
export async function spoolGroups(
  groups: AsyncIterable<Group>,
  path: string,
  counter: SnapshotCounter,
  writing: Writing,
): Promise<GroupPositions> {
  const positions: GroupPositions = { index: new Map(), schools: [] };
  await writeFileAtomically(
    path,
    blocksOf(batched(groups, batchSize), (group, block) => {
      counter.group(group);
      positions.index.set(group.key, positions.schools.length);
      positions.schools.push(group.schoolKey);
      encodeGroup(group, block);
    }),
    writing,
  );
  return positions;
}

/**
 * Writes the groups file, then the memberships file (each membership framed with its group's position),
 * into `staging`, counting both.
 */
export async function spoolGroupsAndMemberships(
  roster: Pick<Roster, 'groups' | 'memberships'>,
  staging: string,
  counter: SnapshotCounter,
  writing: Writing,
): Promise<void> {
  const { index, schools } = await spoolGroups(
    roster.groups(),
    join(staging, spoolFiles.groups),
    counter,
    writing,
  );
  await writeFileAtomically(
    join(staging, spoolFiles.memberships),
    blocksOf(batched(roster.memberships(), batchSize), (membership, block) => {
      const at = index.get(membership.groupKey);
      counter.membership(at === undefined ? undefined : schools[at]);
      encodeMembership(membership, at, block);
    }),
    writing,
  );
}
