import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/index.js';
import {
  adminDatabaseUrl,
  seededTemplateName,
  templateDatabaseName,
  type SeededScale,
} from '../setup/services.js';

export interface TestDatabase {
  readonly db: Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly pool: pg.Pool;
  readonly url: string;
  destroy(): Promise<void>;
}

/**
 * A database of this test file's own on the real PostgreSQL (Graphile Worker's pattern): empty, or
 * cloned from the template that global setup migrated (records store + hub schema), or from the one it
 * also seeded with a synthetic municipality (seed 7, as `seed()` loads), so suites never see each
 * other's data and can run in parallel on one server. A clone costs a file copy; a seed costs seconds.
 */
export async function createTestDatabase(
  options: { migrated?: boolean; seeded?: SeededScale } = {},
): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = `pifu_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const template =
      options.seeded !== undefined
        ? ` TEMPLATE ${seededTemplateName(options.seeded)}`
        : options.migrated === true
          ? ` TEMPLATE ${templateDatabaseName()}`
          : '';
    await admin.query(`CREATE DATABASE ${name}${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const open = await openDatabase<any>({ kind: 'postgres', url }); // eslint-disable-line @typescript-eslint/no-explicit-any
  if (open.kind !== 'postgres') throw new Error('expected a PostgreSQL database');
  return {
    db: open.db,
    pool: open.pool,
    url,
    destroy: async () => {
      await open.close();
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

/**
 * The test database's URL. Its sessions commit without waiting for the WAL flush
 * (`synchronous_commit=off`): that only risks the last commits if the PostgreSQL server itself
 * crashes, which no test does, and the suite's many small transactions stop waiting on fsync.
 */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  parsed.searchParams.set('options', '-c synchronous_commit=off');
  return parsed.toString();
}
