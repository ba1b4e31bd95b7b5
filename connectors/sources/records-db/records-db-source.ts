import { sql, type ControlledTransaction, type Kysely } from 'kysely';
import type pg from 'pg';
import { HubError } from '../../../src/errors/index.js';
import { streamOfBatches, type RosterProperties } from '../../../src/model/index.js';
import type {
  RosterSnapshot,
  SnapshotChanges,
  SourceConnector,
} from '../../../src/ports/source-connector.js';
import { parseRecordsDbConfig } from './records-db-config.js';
import { changedKeysSince, snapshotText } from './changed-keys.js';
import type { CopySnapshot } from './copy-rows.js';
import { copyPersonBatches } from './copy-persons.js';
import { copyGroupBatches, copyMembershipBatches } from './read-by-copy.js';
import { readGroupBatches } from './read-groups.js';
import { readMembershipBatches } from './read-memberships.js';
import type { PageContext } from './read-pages.js';
import { readPersons } from './read-persons.js';
import { recordsDbLookup } from './records-db-lookup.js';
import { sharedCopySnapshot } from './shared-snapshot.js';
import type { SourceDatabase } from './source-database.js';

/**
 * What a snapshot is as of, read through `executor` (the snapshot's own transaction, or the pool for a
 * peek): the latest change it sees, and whether the store holds synthetic data.
 */
async function readSnapshotProperties(
  executor: Kysely<SourceDatabase>,
  source: string,
): Promise<RosterProperties> {
  // The snapshot is as of the latest change it sees, not as of the clock: exporting an unchanged
  // store twice gives byte-identical feeds (PIFU properties/datetime is the source's own time). A store
  // the hub's development tools made for synthetic data carries a marker table; its dates belong to its
  // own generated school year, so the hub reads them on the source's clock (ScopeClock).
  // The marker is the PostgreSQL snapshot itself (in a REPEATABLE READ transaction, the transaction's):
  // changedSince asks which change-log rows it could not see.
  const { rows } = await sql<{ snapshot_at: Date | string; synthetic: boolean; marker: string }>`
    select coalesce((select changed_at from records.change_log order by id desc limit 1), now()) as snapshot_at,
      to_regclass('records.synthetic_store') is not null as synthetic,
      pg_current_snapshot()::text as marker`.execute(executor);
  return {
    source,
    snapshotAt: new Date(rows[0]?.snapshot_at ?? Number.NaN).toISOString(),
    ...(rows[0]?.synthetic === true ? { synthetic: true } : {}),
    ...(rows[0]?.marker === undefined ? {} : { sourceMarker: rows[0].marker }),
  };
}

/**
 * Whether a change-log row exists that the snapshot `marker` did not see: written by a transaction
 * that was still running when the snapshot was taken, or began after it. One indexed range on `txid`
 * (nothing older than the snapshot's xmin can be invisible to it). A marker that is not a snapshot
 * (another source's, or damaged) counts as changed.
 */
async function changedSinceSnapshot(db: Kysely<SourceDatabase>, marker: string): Promise<boolean> {
  if (!snapshotText.test(marker)) return true;
  try {
    const { rows } = await sql<{ changed: boolean }>`
      select exists (
        select 1 from records.change_log
        where txid >= pg_snapshot_xmin(${marker}::pg_snapshot)::text::bigint
          and not pg_visible_in_snapshot(txid::text::xid8, ${marker}::pg_snapshot)
      ) as changed`.execute(db);
    return rows[0]?.changed !== false;
  } catch (error) {
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'could not ask the records store what changed; check the database connection and retry',
      { cause: error },
    );
  }
}

async function beginSnapshot(
  db: Kysely<SourceDatabase>,
  source: string,
): Promise<{ trx: ControlledTransaction<SourceDatabase>; properties: RosterProperties }> {
  try {
    const trx = await db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
    // kysely-pglite-dialect drops the access mode; stating it again makes PGlite read-only too.
    await sql`set transaction read only`.execute(trx);
    return { trx, properties: await readSnapshotProperties(trx, source) };
  } catch (error) {
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'could not open a snapshot of the records store; check the database connection and retry',
      {
        cause: error,
      },
    );
  }
}

/** The raw driver beside Kysely, for reading by COPY (see createRecordsDbSource). */
export interface RecordsDbDriver {
  /** The pool Kysely runs on; COPY streams connect with its options. */
  readonly pool: pg.Pool;
}

async function exportSnapshot(trx: ControlledTransaction<SourceDatabase>): Promise<string> {
  try {
    const { rows } = await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(trx);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('pg_export_snapshot() returned no row');
    return id;
  } catch (error) {
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'could not export the records store snapshot for COPY; check the database connection and retry',
      { cause: error },
    );
  }
}

/**
 * The reference records store as a roster source. Each snapshot is one REPEATABLE READ, READ ONLY
 * transaction, so the three streams agree with each other. How the streams read it:
 * - on PostgreSQL, given the `driver`: `COPY (SELECT …) TO STDOUT`, one statement per stream, each on a
 *   connection of its own that imports the transaction's exported snapshot (pg_export_snapshot / SET
 *   TRANSACTION SNAPSHOT), so it sees exactly the same rows as the transaction, at the speed PostgreSQL
 *   hands them over;
 * - on PGlite, or without a driver: keyset pages of `chunkSize` through the transaction itself (PGlite's
 *   Kysely dialect has one connection, and pg-copy-streams needs node-postgres).
 * Both paths give the same objects in the same order (tested). Only the COPY path tells what changed
 * since an earlier snapshot (`changes`, from records.change_log; see changed-keys.ts), and only it is
 * `shared` with a worker thread (its exported snapshot; see shared-snapshot.ts).
 */
export function createRecordsDbSource(
  db: Kysely<SourceDatabase>,
  config: unknown = {},
  driver?: RecordsDbDriver,
): SourceConnector {
  const { source, chunkSize } = parseRecordsDbConfig(config);
  return {
    lookup: recordsDbLookup(db),
    async peekSnapshot() {
      try {
        return await readSnapshotProperties(db, source);
      } catch (error) {
        throw new HubError(
          'PIFU_SOURCE_UNAVAILABLE',
          'could not read the records store change log; check the database connection and retry',
          { cause: error },
        );
      }
    },
    changedSince: (marker) => changedSinceSnapshot(db, marker),
    async openSnapshot(options = {}): Promise<RosterSnapshot> {
      const { signal } = options;
      signal?.throwIfAborted();
      const { trx, properties } = await beginSnapshot(db, source);
      let closing: Promise<void> | undefined;
      let copy: CopySnapshot | undefined;
      const close = (): Promise<void> => {
        // A COPY stream its reader left unfinished still holds a connection: end it with the snapshot.
        for (const client of copy?.clients ?? []) client.end().catch(() => undefined);
        closing ??= trx.rollback().execute();
        return closing;
      };
      let abortFailure: unknown;
      const onAbort = (): void => {
        // Release the snapshot even if nobody is iterating; a failing rollback is reported by close().
        close().catch((error: unknown) => (abortFailure = error));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const context: PageContext = {
        chunkSize,
        ensureOpen: () => {
          signal?.throwIfAborted();
          if (closing !== undefined)
            throw new HubError(
              'PIFU_SOURCE_UNAVAILABLE',
              'the records store snapshot is closed; open a new one',
            );
        },
      };
      if (driver !== undefined) {
        try {
          copy = {
            connection: driver.pool.options,
            snapshotId: await exportSnapshot(trx),
            ensureOpen: context.ensureOpen,
            clients: new Set(),
          };
        } catch (error) {
          await close().catch(() => undefined);
          signal?.removeEventListener('abort', onAbort);
          throw error;
        }
      }
      // Groups and memberships (and persons read by COPY) come as read, a page or COPY chunk at a time.
      const groupBatches = () =>
        copy === undefined ? readGroupBatches(trx, context) : copyGroupBatches(copy);
      const membershipBatches = () =>
        copy === undefined ? readMembershipBatches(trx, context) : copyMembershipBatches(copy);
      // What changed since an earlier snapshot, and the changed objects alone: asked in this snapshot's
      // transaction and read by COPY in its exported snapshot, so they agree with the streams below.
      const changes = (copied: CopySnapshot): SnapshotChanges => ({
        since: (marker) => changedKeysSince(trx, marker),
        persons: (keys) => streamOfBatches(() => copyPersonBatches(copied, keys)),
        memberships: (groupKeys) => streamOfBatches(() => copyMembershipBatches(copied, groupKeys)),
        groups: (keys) => streamOfBatches(() => copyGroupBatches(copied, keys)),
      });
      const shared = copy === undefined ? undefined : sharedCopySnapshot(copy);
      return {
        properties,
        ...(copy === undefined ? {} : { changes: changes(copy) }),
        ...(shared === undefined ? {} : { shared }),
        persons: () =>
          copy === undefined ? readPersons(trx, context) : streamOfBatches(() => copyPersonBatches(copy)),
        groups: () => streamOfBatches(groupBatches),
        memberships: () => streamOfBatches(membershipBatches),
        close: async () => {
          signal?.removeEventListener('abort', onAbort);
          await close();
          if (abortFailure !== undefined) {
            throw new HubError(
              'PIFU_SOURCE_UNAVAILABLE',
              'releasing the aborted records store snapshot failed',
              { cause: abortFailure },
            );
          }
        },
      };
    },
  };
}
