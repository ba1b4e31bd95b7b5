import { migrateRecordsStore } from '../../connectors/sources/records-db/index.js';
import { markSyntheticStore } from '../../fixtures/dev-cli/synthetic-store.js';
import { generateMunicipality, loadMunicipality } from '../../fixtures/generator/index.js';
import { migrateHub, openDatabase } from '../../src/db/index.js';
import type { SeededScale } from './services.js';

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

/** Seeds a clone of the migrated template with the `scale` municipality of seed 7, as `seed()` does. */
export async function seedTemplate(url: string, scale: SeededScale): Promise<void> {
  const open = await openDatabase<unknown>({ kind: 'postgres', url });
  try {
    if (open.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
    await loadMunicipality({ kind: 'pg', pool: open.pool }, generateMunicipality({ scale, seed: 7 }));
  } finally {
    await open.close();
  }
}
