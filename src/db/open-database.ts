import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { HubError } from '../errors/index.js';

/** Where the hub's database lives: a PostgreSQL server, or PGlite embedded in this process. */
export type DatabaseLocation =
  | { readonly kind: 'postgres'; readonly url: string }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

/**
 * An open database with the raw driver kept beside Kysely, because bulk paths (COPY) need the driver
 * itself. `close()` ends the pool or the PGlite instance; safe to call twice.
 */
export type OpenDatabase<DB> = (
  { readonly kind: 'postgres'; readonly pool: pg.Pool } | { readonly kind: 'pglite'; readonly pglite: PGlite }
) & { readonly db: Kysely<DB>; close(): Promise<void> };

// bigint (int8) and numeric come back as strings by default; counts in the hub fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export async function openDatabase<DB>(location: DatabaseLocation): Promise<OpenDatabase<DB>> {
  if (location.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: location.url, max: 10 });
    // An idle client that loses its server (a PostgreSQL restart, a terminated backend) is dropped by the
    // pool, and the next query connects again; unheard, that 'error' event would kill the process.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end();
      throw new HubError(
        'PIFU_DATABASE_FAILED',
        `cannot connect to PostgreSQL at ${redactUrl(location.url)}; check DATABASE_URL and that the server runs`,
        { cause: error },
      );
    }
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    let closed = false;
    return {
      kind: 'postgres',
      pool,
      db,
      close: async () => {
        if (closed) return;
        closed = true;
        await db.destroy();
        // Kysely ends the pool only if it ever ran a query; the connection check above left a client in it.
        if (!pool.ended) await pool.end();
      },
    };
  }
  // The embedded database holds the hub's tables and, in a demo, the records store itself: 0700.
  if (location.dataDir !== undefined) mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
  const pglite = await PGlite.create(location.dataDir === undefined ? undefined : location.dataDir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    kind: 'pglite',
    pglite,
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/** A connection string fit for a log line or an error: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database url>';
  }
}
