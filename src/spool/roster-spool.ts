import { createReadStream, existsSync } from 'node:fs';
import { readFile, rm, rename, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HubError } from '../errors/index.js';
import { writeFileAtomically } from '../files/index.js';
import type { Group, Membership, Person, Roster, RosterProperties } from '../model/index.js';
import { SnapshotCounter, type RosterSpoolCounts } from './snapshot-counter.js';

/**
 * A run's one snapshot of the roster on disk (docs/requirements.md#d7): the source is read once per run, and
 * every feed job, on any worker that shares the spool directory, streams the same objects from here.
 * Newline-delimited JSON, one file per object stream, in canonical order.
 */
interface Manifest {
  readonly properties: RosterProperties;
  readonly counts: RosterSpoolCounts;
}

const files = {
  persons: 'persons.ndjson',
  groups: 'groups.ndjson',
  memberships: 'memberships.ndjson',
} as const;
const manifestFile = 'manifest.json';

/**
 * Writes the roster into `dir`. The manifest is written last, so a directory with a manifest is a
 * complete spool, and a retried run job finding one reuses it instead of reading a newer snapshot.
 */
export async function writeRosterSpool(
  roster: Roster,
  dir: string,
  options: { signal?: AbortSignal } = {},
): Promise<RosterSpoolCounts> {
  const staging = `${dir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  // The roster is personal data at rest: 0700 directories (the spool, runs, the run) and 0600 files.
  await mkdir(staging, { recursive: true, mode: 0o700 });
  const counter = new SnapshotCounter();
  const signal = options.signal ? { signal: options.signal } : {};
  await writeFileAtomically(join(staging, files.persons), toLines(counter.persons(roster.persons())), signal);
  await writeFileAtomically(join(staging, files.groups), toLines(counter.groups(roster.groups())), signal);
  await writeFileAtomically(
    join(staging, files.memberships),
    toLines(counter.memberships(roster.memberships(), readLines<Group>(join(staging, files.groups)))),
    signal,
  );
  const counts = counter.counts();
  const manifest: Manifest = { properties: roster.properties, counts };
  await writeFile(join(staging, manifestFile), JSON.stringify(manifest), { mode: 0o600 });
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return counts;
}

/** Lines are batched into ~64 KiB strings: one write per line costs more than the JSON itself. */
async function* toLines<T>(objects: AsyncIterable<T>): AsyncGenerator<string> {
  let batch = '';
  for await (const object of objects) {
    batch += `${JSON.stringify(object)}\n`;
    if (batch.length >= 65_536) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

export function isCompleteRosterSpool(dir: string): boolean {
  return existsSync(join(dir, manifestFile));
}

/** Opens a complete spool as a Roster; each stream may be read any number of times. */
export async function openRosterSpool(dir: string): Promise<Roster & { readonly counts: RosterSpoolCounts }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, manifestFile), 'utf8')) as Manifest;
  } catch (error) {
    throw new HubError('PIFU_SPOOL_MISSING', `run spool ${dir} is missing or incomplete; start a new run`, {
      cause: error,
    });
  }
  return {
    properties: manifest.properties,
    counts: manifest.counts,
    persons: () => readLines<Person>(join(dir, files.persons)),
    groups: () => readLines<Group>(join(dir, files.groups)),
    memberships: () => readLines<Membership>(join(dir, files.memberships)),
  };
}

async function* readLines<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as T;
  }
}

export async function removeRosterSpool(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
