import { sql } from 'kysely';
import {
  generateMunicipality,
  loadMunicipality,
  type MunicipalityScale,
} from '../../fixtures/generator/index.js';
import { HubError } from '../../src/errors/index.js';
import type { Runtime } from '../runtime.js';

export type SeedScale = MunicipalityScale;

/**
 * Fills the reference records store with a synthetic municipality. Only ever on a store the hub owns
 * (demo, tests, benchmarks): `replace` empties every table of schema `records` first, keeping the
 * migration bookkeeping.
 */
export async function seedRecordsStore(
  runtime: Runtime,
  options: { scale: SeedScale; seed: number; replace: boolean },
): Promise<{ seconds: number; persons: number; groups: number; memberships: number }> {
  const db = runtime.records.db;
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'records' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%'`.execute(
    db,
  );
  const names = tables.rows.map((row) => `records.${row.table_name}`);
  const { rows } = await sql<{
    persons: number;
  }>`SELECT count(*)::int AS persons FROM records.person`.execute(db);
  if ((rows[0]?.persons ?? 0) > 0) {
    if (!options.replace) {
      throw new HubError(
        'PIFU_SEED_INVALID',
        'the records store already holds persons; add --replace to empty it first',
      );
    }
    await sql`TRUNCATE ${sql.join(names.map((name) => sql.table(name)))} CASCADE`.execute(db);
  }
  const connection =
    runtime.records.kind === 'postgres'
      ? ({ kind: 'pg', pool: runtime.records.pool } as const)
      : ({ kind: 'pglite', pglite: runtime.records.pglite } as const);
  const report = await loadMunicipality(connection, generateMunicipality(options));
  const count = (table: string): number =>
    report.rowsByTable[table] ?? report.rowsByTable[`records.${table}`] ?? 0;
  return {
    seconds: report.seconds,
    persons: count('person'),
    groups: count('roster_group'),
    memberships: count('membership'),
  };
}
