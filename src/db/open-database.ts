import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { HubError, isHubError } from '../errors/index.js';
import { lockDataDir, type DataDirLock, type DataDirLockOptions } from './data-dir-lock.js';

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

/** The node-postgres pool under each Kysely that openDatabase opened on PostgreSQL. */
const pools = new WeakMap<object, pg.Pool>();

/**
 * The node-postgres pool a Kysely from openDatabase runs on, for what Kysely cannot send (COPY);
 * undefined for PGlite, a transaction, or a Kysely made elsewhere.
 */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

// bigint (int8) and numeric come back as strings by default; counts in the hub fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface OpenDatabaseOptions {
  /**
   * For an embedded database in a directory: who takes its exclusive lock and how long to wait for it
   * (see lockDataDir). Default: `pifu-hub`, refused at once when another process holds it.
   */
  readonly lock?: Partial<DataDirLockOptions>;
}

export async function openDatabase<DB>(
  location: DatabaseLocation,
  options: OpenDatabaseOptions = {},
): Promise<OpenDatabase<DB>> {
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
    pools.set(db, pool);
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
  return openPglite<DB>(location.dataDir, options);
}

async function openPglite<DB>(
  dataDir: string | undefined,
  options: OpenDatabaseOptions,
): Promise<OpenDatabase<DB>> {
  let lock: DataDirLock | undefined;
  if (dataDir !== undefined) {
    // Personal data at rest: the data directory (and the lock file beside it) is the owner's alone.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = await lockDataDir(dataDir, { command: 'pifu-hub', ...options.lock });
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    lock?.release();
    throw damaged(dataDir, error);
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  let closed = false;
  return {
    kind: 'pglite',
    pglite,
    db,
    close: async () => {
      if (closed) return;
      closed = true;
      // PGlite 0.4's close() (which Kysely's destroy() calls too) ends its Emscripten runtime with
      // exit(0), which writes 0 into process.exitCode and so turns every failed command into a success
      // (fixed upstream in 0.5.5, which kysely-pglite-dialect does not support yet): keep the code this
      // process had set.
      const exitCode = process.exitCode;
      try {
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        process.exitCode = exitCode;
        lock?.release();
      }
    },
  };
}

/** What an embedded database that PGlite cannot start means to an operator, in one line. */
function damaged(dataDir: string | undefined, error: unknown): HubError {
  if (isHubError(error)) return error;
  // Emscripten's abort adds advice for whoever builds PGlite, not for an operator.
  const message =
    error instanceof Error ? error.message.split('\n')[0]!.replace(/ Build with -sASSERTIONS.*/, '') : '';
  const reason = error instanceof Error ? `${error.name}: ${message}` : String(error);
  return new HubError(
    'PIFU_DATABASE_FAILED',
    `the embedded database in ${dataDir ?? 'memory'} cannot be opened (${reason}); its files are damaged ` +
      '(a process killed while writing, a full disk, or files changed by hand): restore the directory from a ' +
      'backup, or move it aside to start an empty one and seed or export again',
    { cause: error, retryable: false },
  );
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
