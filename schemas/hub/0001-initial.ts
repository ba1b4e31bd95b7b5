import { sql, type Kysely } from 'kysely';

/**
 * The hub's own state: runs, feeds, transfers and the disclosure register. The records store is only
 * ever read; everything the hub writes lives in schema `hub`.
 *
 * Closed vocabularies are mirrored by CHECK constraints (docs/requirements.md#c3) so a bad value fails at the
 * database too, not only in TypeScript.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS hub`.execute(db);
  const hub = db.schema.withSchema('hub');

  await hub
    .createTable('run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) =>
      c.notNull().check(sql`trigger IN ('schedule', 'operator', 'resync')`),
    )
    .addColumn('requested_by', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('running', 'completed', 'failed')`))
    .addColumn('recipient_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('snapshot_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('spool_path', 'text')
    .addColumn('persons', 'integer')
    .addColumn('groups', 'integer')
    .addColumn('memberships', 'integer')
    .addColumn('error', 'text')
    .execute();

  await hub
    .createTable('feed')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('hub.run.id'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('feed_type', 'text', (c) => c.notNull().check(sql`feed_type IN ('full', 'delta')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending', 'written', 'failed')`))
    .addColumn('file_path', 'text')
    .addColumn('persons', 'integer')
    .addColumn('groups', 'integer')
    .addColumn('memberships', 'integer')
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256_hex', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('written_at', 'timestamptz')
    .addColumn('write_ms', 'integer')
    .addColumn('error', 'text')
    .addUniqueConstraint('feed_run_recipient_unique', ['run_id', 'recipient_id'])
    .execute();

  await hub
    .createTable('transfer')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('feed_id', 'text', (c) => c.notNull().unique().references('hub.feed.id'))
    .addColumn('run_id', 'text', (c) => c.notNull().references('hub.run.id'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('transport_kind', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) =>
      c.notNull().check(sql`trigger IN ('schedule', 'operator', 'resync')`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('location', 'text')
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256_hex', 'text')
    .addColumn('error', 'text')
    .execute();
  await hub
    .createIndex('transfer_recipient_created')
    .on('transfer')
    .columns(['recipient_id', 'created_at'])
    .execute();

  // The disclosure register (docs/requirements.md#d5): one row per person per delivered transfer, written in
  // the acknowledgement transaction. Indexed by person so GDPR Art. 15(1)(c) is one index scan.
  await hub
    .createTable('disclosure')
    .addColumn('transfer_id', 'text', (c) => c.notNull().references('hub.transfer.id'))
    .addColumn('person_key', 'text', (c) => c.notNull())
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('categories', sql`text[]`, (c) => c.notNull())
    .addColumn('disclosed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('disclosure_pk', ['transfer_id', 'person_key'])
    .execute();
  await hub
    .createIndex('disclosure_person')
    .on('disclosure')
    .columns(['person_key', 'disclosed_at'])
    .execute();
}
