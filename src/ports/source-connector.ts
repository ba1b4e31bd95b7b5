import type { Group, Membership, Person, Roster, RosterProperties } from '../model/index.js';

/**
 * Where the roster comes from. Implementations live in `connectors/sources/*`; the core never names one.
 *
 * An implementation must:
 * - read one consistent snapshot per `openSnapshot` call (every stream of the returned roster reflects
 *   the same moment, e.g. one REPEATABLE READ transaction);
 * - yield objects in the canonical order documented on `Roster`, with memory bounded by a chunk size,
 *   never by the number of persons;
 * - never load special-category data (docs/requirements.md#r1) into the model: the columns may exist in the
 *   source, the connector simply does not read them;
 * - stop promptly and release the snapshot when `signal` aborts;
 * - throw `HubError('PIFU_SOURCE_UNAVAILABLE')` for connection trouble (retryable) and
 *   `HubError('PIFU_SOURCE_INVALID')` for data it cannot map (not retryable).
 *
 * Left out on purpose: writes of any kind (the records store is read-only to the hub).
 */
export interface SourceConnector {
  openSnapshot(options?: { signal?: AbortSignal }): Promise<RosterSnapshot>;
  /**
   * Optional: the properties a snapshot opened now would have (above all `snapshotAt`, and `synthetic`,
   * which decides the scope date), told without opening one, in one cheap query. It must be exactly what
   * `openSnapshot` would report at this moment: a run that finds them unchanged since a recipient's last
   * delivery writes nothing and reads nothing more (see skipUnchangedRun). A source that cannot tell
   * cheaply (a file) leaves it out, and every run takes its snapshot.
   */
  peekSnapshot?(): Promise<RosterProperties>;
  /**
   * Optional, with `sourceMarker` on the snapshot's properties: whether anything changed in the source
   * that the snapshot marked `marker` did not see — a change committed after it, whatever time the change
   * carries (a transaction that started before the last change seen and committed after it has an earlier
   * time than the snapshot's). False must mean nothing changed; when unsure, true.
   */
  changedSince?(marker: string): Promise<boolean>;
  /** Point lookups for operator input, without a snapshot: one indexed query each. */
  readonly lookup: SourceLookup;
}

/**
 * Answers whether what an operator typed names something the source has now, so a typo is refused
 * instead of silently matching nothing.
 */
export interface SourceLookup {
  /** Whether a person with this hub key exists (any status). */
  hasPerson(personKey: string): Promise<boolean>;
  /** The school's key for an organisation number or NSR id, or undefined when there is none. */
  findSchool(reference: string): Promise<string | undefined>;
}

export interface RosterSnapshot extends Roster {
  /** Ends the snapshot (transaction); safe to call twice. */
  close(): Promise<void>;
  /**
   * Optional: what changed since an earlier snapshot of this source, and the changed objects alone, all
   * read in this snapshot (so a change it does not see is in none of its answers). The run spool uses
   * it to re-read only the changed persons (src/spool/incremental-spool.ts). A source that cannot tell
   * (a file) leaves it out, and every snapshot is read whole.
   */
  readonly changes?: SnapshotChanges;
  /**
   * Optional: how another thread of this process opens this same snapshot, so the run spool reads the
   * groups and memberships there while this thread reads the persons (src/spool/spool-thread.ts). The
   * snapshot must stay readable from there until `close`. A source that cannot share its snapshot
   * (a file, one database connection) leaves it out, and every stream is read in this thread.
   */
  readonly shared?: SharedSnapshot;
}

/**
 * A snapshot opened again in a worker thread: `module` (a file URL) exports `openSharedSnapshot(data)`,
 * which resolves to the snapshot's groups and memberships, the same objects in the same order as its
 * own streams give. `data` crosses the thread as a structured clone: plain values only, and no more
 * than the other thread needs (it may hold a connection's credentials, so it is never logged).
 */
export interface SharedSnapshot {
  readonly module: string;
  readonly data: unknown;
}

/** What `openSharedSnapshot` resolves to in the worker thread (see SharedSnapshot). */
export interface SharedSnapshotStreams extends Pick<Roster, 'groups' | 'memberships'> {
  close(): Promise<void>;
}

/** What changed between an earlier snapshot of the source and this one, told in keys. */
export interface SnapshotChanges {
  /**
   * The keys whose objects may differ between the snapshot `marker` (an earlier snapshot's
   * `sourceMarker`) and this one, or undefined when everything must be read again: the marker is not
   * one of this source's, the source cannot tell what changed (a bulk load, a gap in its change
   * record), or a change touches what every object depends on. A key too many costs a re-read; a key
   * too few is a wrong spool, so when unsure, undefined.
   */
  since(marker: string): Promise<ChangedKeys | undefined>;
  /** The persons with these keys that this snapshot holds, in key order. */
  persons(keys: readonly string[]): AsyncIterable<Person>;
  /** The memberships in the groups with these keys, in canonical order. */
  memberships(groupKeys: readonly string[]): AsyncIterable<Membership>;
  /** The groups with these keys that this snapshot holds, in key order. */
  groups(keys: readonly string[]): AsyncIterable<Group>;
}

export interface ChangedKeys {
  /** Every person whose whole object may differ (added, removed or changed), in key order. */
  readonly personKeys: readonly string[];
  /** Every group whose memberships may differ, in key order. */
  readonly membershipGroupKeys: readonly string[];
  /** Every group whose own object may differ (added, removed or changed), in key order. */
  readonly groupKeys: readonly string[];
}
