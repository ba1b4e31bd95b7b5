import { sql, type Kysely } from 'kysely';

/**
 * Delivered state (docs/requirements.md#d1): per recipient, every object it holds with a content hash
 * of exactly what was sent, advanced only in the transaction that acknowledges a transfer. Keys sort in
 * byte order (COLLATE "C") so the state streams in the roster's canonical order for the delta merge.
 * Values are never kept (R2): a group keeps its type and parent so a delete record can be written.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .createTable('delivered_object')
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'smallint', (c) => c.notNull().check(sql`object_type IN (1, 2, 3)`))
    .addColumn('object_key', sql`text COLLATE "C"`, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb')
    .addColumn('transfer_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivered_object_pkey', ['recipient_id', 'object_type', 'object_key'])
    .execute();

  await hub
    .createTable('recipient_state')
    .addColumn('recipient_id', 'text', (c) => c.primaryKey())
    .addColumn('transfer_id', 'text', (c) => c.notNull())
    .addColumn('snapshot_at', 'timestamptz')
    .addColumn('profile_hash', 'text', (c) => c.notNull())
    .addColumn('objects', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await hub
    .createTable('hold')
    .addColumn('transfer_id', 'text', (c) => c.primaryKey().references('hub.transfer.id'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('held_objects', 'integer', (c) => c.notNull())
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    // The delivered state the delta was computed against; approving is refused once it has moved on.
    .addColumn('based_on_transfer_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.check(sql`decision IN ('approved', 'rejected', 'superseded')`))
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decided_at', 'timestamptz')
    .execute();
  await hub
    .createIndex('hold_undecided_idx')
    .on('hold')
    .column('recipient_id')
    .where(sql.ref('decision'), 'is', null)
    .execute();

  await hub
    .alterTable('feed')
    .addColumn('added', 'integer')
    .addColumn('changed', 'integer')
    .addColumn('deleted', 'integer')
    .addColumn('profile_hash', 'text')
    .execute();
  await sql`ALTER TABLE hub.feed DROP CONSTRAINT feed_status_check`.execute(db);
  await sql`ALTER TABLE hub.feed ADD CONSTRAINT feed_status_check
    CHECK (status IN ('pending', 'written', 'empty', 'failed'))`.execute(db);
  await sql`ALTER TABLE hub.transfer DROP CONSTRAINT transfer_status_check`.execute(db);
  await sql`ALTER TABLE hub.transfer ADD CONSTRAINT transfer_status_check
    CHECK (status IN ('pending', 'delivered', 'failed', 'held', 'rejected', 'skipped'))`.execute(db);

  await hub.alterTable('run').addColumn('reason', 'text').addColumn('resync', 'jsonb').execute();
}
