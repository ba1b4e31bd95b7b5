import { sql, type Kysely } from 'kysely';

/**
 * Operator notifications (issue 12): an outbox, one row per event per channel. The event's key (e.g.
 * `transfer-failed:<transfer>:<attempts>`) makes recording it again a no-op, so every scheduler may
 * look for events on every tick and each event is sent once per channel; `sent_at` stays null until the
 * channel took it, and a failed send is tried again on a later tick. Events carry ids and counts only,
 * never anything about a person.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .createTable('notification')
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel IN ('webhook', 'email')`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('notification_pkey', ['event_key', 'channel'])
    .execute();
  await sql`CREATE INDEX notification_unsent ON hub.notification (channel, created_at)
    WHERE sent_at IS NULL`.execute(db);
}
