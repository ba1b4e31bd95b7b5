import { sql, type Kysely } from 'kysely';

/**
 * R4: the audit trail says how each attempt ended — `done`, `refused` (the action was checked and
 * turned down, nothing changed) or `denied` (the actor lacked the role) — and where it came from (the
 * CLI's host user, or an API client's address). `hub.secret` holds the hub's own keys, such as the one
 * that turns a national identity number an operator typed into a keyed hash before it is recorded.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .alterTable('audit')
    .addColumn('outcome', 'text', (c) =>
      c
        .notNull()
        .defaultTo('done')
        .check(sql`outcome IN ('done', 'refused', 'denied')`),
    )
    .execute();
  await hub.alterTable('audit').addColumn('source', 'text').execute();
  await hub
    .createTable('secret')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
