import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, redactUrl, type HubDatabase, type OpenDatabase } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';

/** Tried when neither --database-url nor BENCH_DATABASE_URL is given: a local dev/CI server. */
const defaultBenchDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly kind: 'postgres' | 'pglite';
  /** Hub schema and records store share this one database, as in the demo runtime. */
  readonly open: OpenDatabase<HubDatabase>;
  /** Its URL, for other processes (PostgreSQL only). */
  readonly url?: string;
  /** Closes the connections and drops the throwaway database; call it in a `finally`. */
  dispose(): Promise<void>;
}

/** A short-lived admin connection: held only for CREATE/DROP, so a minutes-long load never idles it. */
async function withAdmin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined); // a dropped idle connection must not crash the bench
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database for one bench run, so its figures never depend on what a developer left in
 * their own store and nothing of theirs is touched. On PostgreSQL it is `pifu_bench_<random>`, created
 * beside the admin URL's database; when the default URL does not answer it is an in-memory PGlite.
 * An explicitly given URL that fails is an error: falling back there would bench the wrong thing.
 */
export async function openBenchDatabase(
  databaseUrl: string | undefined,
  log: (line: string) => void,
): Promise<BenchDatabase> {
  const explicitUrl = databaseUrl ?? process.env.BENCH_DATABASE_URL;
  const adminUrl = explicitUrl ?? defaultBenchDatabaseUrl;
  const name = `pifu_bench_${randomBytes(4).toString('hex')}`;
  try {
    await withAdmin(adminUrl, (admin) => admin.query(`create database ${pg.escapeIdentifier(name)}`));
  } catch (error) {
    if (explicitUrl !== undefined) {
      throw new HubError(
        'PIFU_DATABASE_FAILED',
        `bench: cannot create a throwaway database at ${redactUrl(adminUrl)}`,
        { cause: error },
      );
    }
    log(`bench: no PostgreSQL at ${redactUrl(adminUrl)}; using in-memory PGlite`);
    const open = await openDatabase<HubDatabase>({ kind: 'pglite', dataDir: undefined });
    return { kind: 'pglite', open, dispose: () => open.close() };
  }

  const drop = async (): Promise<void> => {
    // FORCE (PostgreSQL 13+) ends stray sessions, e.g. a pool client an aborted step left behind.
    await withAdmin(adminUrl, (admin) =>
      admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
    );
    log(`bench: dropped database ${name}`);
  };
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let open: OpenDatabase<HubDatabase>;
  try {
    open = await openDatabase<HubDatabase>({ kind: 'postgres', url: url.toString() });
  } catch (error) {
    await drop();
    throw error;
  }
  log(`bench: created database ${name} at ${redactUrl(adminUrl)}`);
  return {
    kind: 'postgres',
    open,
    url: url.toString(),
    dispose: async () => {
      try {
        await open.close();
      } finally {
        await drop();
      }
    },
  };
}
