import type { Kysely } from 'kysely';
import { recordsMigrations } from '../../../schemas/records/index.js';
import { runMigrations } from '../../../src/db/index.js';

/**
 * Brings a database's `records` schema up to date. Running it again is harmless: applied migrations
 * are recorded in `records.kysely_migration` and skipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database that may hold the records schema
export async function migrateRecordsStore(db: Kysely<any>): Promise<void> {
  await runMigrations(db, 'records', recordsMigrations);
}
