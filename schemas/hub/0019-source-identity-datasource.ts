import { sql, type Kysely } from 'kysely';

/**
 * A source id is an exporting system's: PIFU identifies an object by its sourcedid's `source` and `id`
 * (docs/requirements.md#p-sourcedid), and two school systems may both have a person `0012` who are two
 * people. Each mapping is now kept under the `properties/datasource` of the file that made it (the
 * source every sourcedid of that file names), and a file's ids are looked up only among its own
 * system's: before, a file from another system took over the keys of the earlier system's persons with
 * the same ids, one pupil's accounts downstream overwritten with another's.
 *
 * The keyed hash is unchanged (of kind and id), so the rows recorded before keep matching once tagged:
 * they are given the datasource of the import committed last (hub.import_base, written in the same
 * transaction as every mapping), the system whose roster recipients hold now, so its next import keeps
 * every key (no mass delete and add downstream). With several systems imported before, the others'
 * persons are not downstream any more (a run's roster is one file's) and get keys of their own the next
 * time their system is imported. A row with no import to tag it with cannot occur (a mapping is only
 * recorded with its import) and would match nothing: it is removed.
 *
 * A hub key stays one person's across systems: a file's own uuid id becomes its key when no mapping of
 * any system holds it, and a commit is refused if another system's import took the key meanwhile (two
 * systems' files naming one uuid, read at once); the index on hub_key serves that check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('hub').alterTable('source_identity').addColumn('datasource', 'text').execute();
  await sql`
    UPDATE hub.source_identity
    SET datasource = (SELECT datasource FROM hub.import_base ORDER BY recorded_at DESC LIMIT 1)`.execute(db);
  await sql`DELETE FROM hub.source_identity WHERE datasource IS NULL`.execute(db);
  await sql`ALTER TABLE hub.source_identity ALTER COLUMN datasource SET NOT NULL`.execute(db);
  await sql`ALTER TABLE hub.source_identity DROP CONSTRAINT source_identity_pkey`.execute(db);
  await sql`
    ALTER TABLE hub.source_identity
    ADD CONSTRAINT source_identity_pkey PRIMARY KEY (kind, datasource, source_id_hash)`.execute(db);
  await db.schema
    .withSchema('hub')
    .createIndex('source_identity_hub_key')
    .on('source_identity')
    .columns(['hub_key'])
    .execute();
}
