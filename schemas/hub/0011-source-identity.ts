import { sql, type Kysely } from 'kysely';

/**
 * The hub's own key for each object a PIFU file names (docs/architecture.md, "PIFU files as a source").
 * A file's ids are the exporting system's: they may be national numbers, may change (`sourcedidtype`
 * New/Old), and must never reach a recipient as they are. Each source id, as a keyed hash (never the id),
 * maps to one hub key for good, so a person whose id or national number changes in the file arrives
 * downstream as an update under the same key. Several source ids may map to one key.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .createTable('source_identity')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('person', 'group')`))
    .addColumn('source_id_hash', 'text', (c) => c.notNull())
    .addColumn('hub_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('source_identity_pkey', ['kind', 'source_id_hash'])
    .execute();
}
