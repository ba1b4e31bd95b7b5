import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPoolClient, type Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { poolOf } from './open-database.js';

/** A column value COPY writes: text, a number, a boolean, a text array, or NULL. */
export type CopyValue = string | number | boolean | readonly string[] | null;

/**
 * Writes rows into `table (columns)` with `COPY … FROM STDIN` on the transaction's own connection, so they
 * commit or roll back with everything else it did; a batch at a time, with backpressure from the server.
 * Returns the rows written. A failure (a constraint, the source failing) fails the transaction.
 */
export type CopyRows = (
  table: string,
  columns: readonly string[],
  batches: AsyncIterable<readonly (readonly CopyValue[])[]>,
) => Promise<number>;

/**
 * Runs `work` in one transaction of `db`, handing it a CopyRows on that transaction's connection when
 * `db` runs on node-postgres (see poolOf), and undefined otherwise (PGlite: its Kysely dialect speaks no
 * COPY), so the caller keeps a plain-SQL path for that case. Kysely cannot hand out the connection of
 * a transaction it runs, so on PostgreSQL the transaction runs on a Kysely over one pooled client that
 * this function checks out and returns (destroyed instead when the work failed, whatever state a broken
 * COPY left it in). The transaction's semantics are Kysely's own: commit when `work` resolves, roll
 * back when it throws.
 */
export async function copyTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>, copy: CopyRows | undefined) => Promise<T>,
): Promise<T> {
  const pool = poolOf(db);
  if (pool === undefined) return db.transaction().execute((trx) => work(trx, undefined));
  const client = await pool.connect();
  const held: PostgresPoolClient = {
    query: ((...args: Parameters<pg.PoolClient['query']>) =>
      client.query(...args)) as unknown as PostgresPoolClient['query'],
    // The client goes back to the pool below, once, whatever Kysely does with it.
    release: () => undefined,
  };
  const single = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: { connect: () => Promise.resolve(held), end: () => Promise.resolve() },
    }),
  });
  let failed = true;
  try {
    const result = await single.transaction().execute((trx) => work(trx, copyRowsOn(client)));
    failed = false;
    return result;
  } finally {
    await single.destroy();
    client.release(failed);
  }
}

function copyRowsOn(client: pg.PoolClient): CopyRows {
  return async (table, columns, batches) => {
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyText(batches), { objectMode: false }), stream);
    return stream.rowCount;
  };
}

/** Each batch as one chunk of COPY's text format: tab between columns, a newline after each row. */
async function* copyText(batches: AsyncIterable<readonly (readonly CopyValue[])[]>): AsyncGenerator<string> {
  for await (const rows of batches) {
    if (rows.length === 0) continue;
    let text = '';
    for (const row of rows) text += `${row.map(copyField).join('\t')}\n`;
    yield text;
  }
}

const special = /[\\\t\n\r]/;
const specials = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const arrayElement = /[\\"]/g;

/** One value in COPY's text format: `\N` for NULL, a backslash before what would end a field or row. */
function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An array literal with every element quoted, so no element is read as NULL or split.
  const text =
    typeof value === 'string'
      ? value
      : `{${value.map((element) => `"${element.replace(arrayElement, '\\$&')}"`).join(',')}}`;
  return special.test(text) ? text.replace(specials, (character) => escapes[character] ?? character) : text;
}
