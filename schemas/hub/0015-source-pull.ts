import { sql, type Kysely } from 'kysely';

/**
 * What `source pull` fetched from the school system's SFTP server (issue 13), so the same export is never
 * imported twice however many schedulers pull. One row per remote file version (location, name, size and
 * modification time; never its content), claimed before the download: the first process to insert it
 * pulls it, and `finished_at` is set once the import is done or refused. A claim left unfinished by a
 * process that died may be taken again after a while; a failed attempt removes its claim.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .createTable('source_pull')
    .addColumn('remote', 'text', (c) => c.primaryKey())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome IN ('imported', 'refused')`))
    .addColumn('run_id', 'text')
    .execute();
}
