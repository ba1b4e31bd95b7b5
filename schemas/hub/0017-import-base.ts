import { sql, type Kysely } from 'kysely';

/**
 * Which roster a PIFU delta export applies to (issue 13): per exporting system (the file's
 * `properties/datasource`), the last import the hub committed (its run), the name of the roster it left
 * and its export time. The roster itself is not here but in the spool directory (0600 files in 0700
 * directories): the spool is already the one file system every process that imports or runs feeds
 * shares (docs/deployment.md), so PostgreSQL would free no deployment of it, while a table of persons'
 * values would break the rule that the hub's tables keep keys, hashes and categories only
 * (docs/architecture.md, "What the hub stores"). The row is written in the transaction that records the
 * import's run, so the base moves exactly when an import is committed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .createTable('import_base')
    .addColumn('datasource', 'text', (c) => c.primaryKey())
    .addColumn('base_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('feed_type', 'text', (c) => c.notNull().check(sql`feed_type IN ('full', 'delta')`))
    .addColumn('exported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
