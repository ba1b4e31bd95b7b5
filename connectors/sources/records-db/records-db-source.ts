import { sql, type ControlledTransaction, type Kysely } from 'kysely';
import { HubError } from '../../../src/errors/index.js';
import type { RosterSnapshot, SourceConnector } from '../../../src/ports/source-connector.js';
import { parseRecordsDbConfig } from './records-db-config.js';
import { readGroups } from './read-groups.js';
import { readMemberships } from './read-memberships.js';
import type { PageContext } from './read-pages.js';
import { readPersons } from './read-persons.js';
import { recordsDbLookup } from './records-db-lookup.js';
import type { SourceDatabase } from './source-database.js';

async function beginSnapshot(
  db: Kysely<SourceDatabase>,
): Promise<{ trx: ControlledTransaction<SourceDatabase>; snapshotAt: string; synthetic: boolean }> {
  try {
    const trx = await db
      .startTransaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute();
    // kysely-pglite-dialect drops the access mode; stating it again makes PGlite read-only too.
    await sql`set transaction read only`.execute(trx);
    // The snapshot is as of the latest change it sees, not as of the clock: exporting an unchanged
    // store twice gives byte-identical feeds (PIFU properties/datetime is the source's own time).
    const { rows } = await sql<{ snapshot_at: Date | string }>`
      select coalesce((select changed_at from records.change_log order by id desc limit 1), now()) as snapshot_at`.execute(
      trx,
    );
    // A store the hub's development tools made for synthetic data carries a marker table; its dates
    // belong to its own generated school year, so the hub reads them on the source's clock (ScopeClock).
    const marker = await sql<{ synthetic: boolean }>`
      select to_regclass('records.synthetic_store') is not null as synthetic`.execute(trx);
    return {
      trx,
      snapshotAt: new Date(rows[0]?.snapshot_at ?? Number.NaN).toISOString(),
      synthetic: marker.rows[0]?.synthetic === true,
    };
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

/**
 * The reference records store as a roster source. Each snapshot is one REPEATABLE READ, READ ONLY
 * transaction on one connection, and every stream reads through it by keyset pages, so the three
 * streams agree with each other and work the same on node-postgres and on PGlite (whose Kysely dialect
 * has one connection: a second one opened during a snapshot would wait forever).
 */
export function createRecordsDbSource(db: Kysely<SourceDatabase>, config: unknown = {}): SourceConnector {
  const { source, chunkSize } = parseRecordsDbConfig(config);
  return {
    lookup: recordsDbLookup(db),
    async openSnapshot(options = {}): Promise<RosterSnapshot> {
      const { signal } = options;
      signal?.throwIfAborted();
      const { trx, snapshotAt, synthetic } = await beginSnapshot(db);
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> => {
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
      return {
        properties: { source, snapshotAt, ...(synthetic ? { synthetic } : {}) },
        persons: () => readPersons(trx, context),
        groups: () => readGroups(trx, context),
        memberships: () => readMemberships(trx, context),
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
