import { Migrator, type Kysely, type Migration } from 'kysely';
import { hubMigrations } from '../../schemas/hub/index.js';
import { HubError } from '../errors/index.js';

/**
 * Runs a set of forward-only migrations with Kysely's Migrator, keeping its bookkeeping in `schema`.
 * Running it again is harmless: applied migrations are skipped.
 */
export async function runMigrations(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  // Kysely creates its bookkeeping tables in `schema`, so the schema must exist before it looks.
  await db.schema.createSchema(schema).ifNotExists().execute();
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new HubError(
      'PIFU_DATABASE_FAILED',
      `migration ${schema}/${failed} failed; the database was left at the previous migration`,
      {
        cause: error,
      },
    );
  }
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

/** Brings the hub schema up to date. */
export function migrateHub(db: Kysely<unknown>): Promise<string[]> {
  return runMigrations(db, 'hub', hubMigrations);
}
