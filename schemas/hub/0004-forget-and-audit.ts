import { sql, type Kysely } from 'kysely';

/**
 * R3 and R4. `forgotten_person`: persons an authorised operator asked the hub to forget (an erasure or
 * objection); they leave every recipient's view, so the next delta deletes them wherever they are held.
 * `audit`: one row per operator action that shows or moves personal data (disclosure queries, previews,
 * forget, resync, hold decisions): who, when, what, about whom.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .createTable('forgotten_person')
    .addColumn('person_key', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('forgotten_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await hub
    .createTable('audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('detail', 'text')
    .execute();
  await hub.createIndex('audit_subject_idx').on('audit').column('subject').execute();
}
