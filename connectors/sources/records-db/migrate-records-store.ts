import { Migrator, type Kysely } from 'kysely';
import { HubError } from '../../../src/errors/index.js';
import { recordsMigrations } from '../../../schemas/records/index.js';

/**
 * Brings a database's `records` schema up to date. Running it again is harmless: applied migrations
 * are recorded in `records.kysely_migration` and skipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database that may hold the records schema
export async function migrateRecordsStore(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(recordsMigrations) },
    migrationTableSchema: 'records',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new HubError(
      'PIFU_DATABASE_FAILED',
      `records store migration "${failed}" failed; the schema is left at the last good migration`,
      {
        cause: error,
      },
    );
  }
}
