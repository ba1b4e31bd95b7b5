import { migrateRecordsStore } from '../../connectors/sources/records-db/index.js';
import { markSyntheticStore } from '../../fixtures/dev-cli/synthetic-store.js';
import { migrateHub, openDatabase } from '../../src/db/index.js';

/** Migrates the template database: the reference records store and the hub schema, as `migrate` does. */
export async function migrateTemplate(url: string): Promise<void> {
  const open = await openDatabase<unknown>({ kind: 'postgres', url });
  try {
    await migrateRecordsStore(open.db);
    await markSyntheticStore(open.db);
    await migrateHub(open.db);
  } finally {
    await open.close();
  }
}
