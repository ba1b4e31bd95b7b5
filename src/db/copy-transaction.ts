import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPoolClient, type Transaction } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyRow, type CopyValue } from './copy-text.js';
import { poolOf } from './open-database.js';

export type { CopyValue };

/**
 * Writes rows into `table (columns)` with `COPY … FROM STDIN` on the transaction's own connection, so they
 * commit or roll back with everything else it did; a batch at a time, with backpressure from the server.
 * Returns the rows written. A failure (a constraint, the source failing) fails the transaction.
 */
export interface CopyRows {
  (
    table: string,
    columns: readonly string[],
    batches: AsyncIterable<readonly (readonly CopyValue[])[]>,
  ): Promise<number>;
  /**
   * The same with the rows already in COPY's text format (copy-text.ts), in chunks that may cut a row
   * anywhere: a file written in that format goes to the server as it is read, with nothing parsed.
   */
  text(table: string, columns: readonly string[], chunks: AsyncIterable<Buffer | string>): Promise<number>;
}

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
  const text = async (table: string, columns: readonly string[], chunks: AsyncIterable<Buffer | string>) => {
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(chunks, { objectMode: false }), stream);
    return stream.rowCount;
  };
  const rows = (
    table: string,
    columns: readonly string[],
    batches: AsyncIterable<readonly (readonly CopyValue[])[]>,
  ) => text(table, columns, copyText(batches));
  return Object.assign(rows, { text });
}

/** Each batch as one chunk of COPY's text format: tab between columns, a newline after each row. */
async function* copyText(batches: AsyncIterable<readonly (readonly CopyValue[])[]>): AsyncGenerator<string> {
  for await (const rows of batches) {
    if (rows.length === 0) continue;
    let text = '';
    for (const row of rows) text += copyRow(row);
    yield text;
  }
}
