import { sql, type Kysely } from 'kysely';

/**
 * A group id is its exporting system's too. Before, only a group id holding a national number got a
 * mapping (per system, migration 0019); every other group was keyed by its own id, so `1A` of one school
 * system and `1A` of another were one hub group: a second system's import changed the first's class
 * into its own at every recipient, memberships included. Now every group id is mapped under its
 * system, as persons are: the id stays the key when no other system's group has it, else the group gets
 * a key of its own (`grp-` and a uuid).
 *
 * Keys stay: the groups keyed by their own id before were recorded nowhere, so the system whose import
 * was committed last (the roster recipients hold) is flagged: its unmapped ids keep themselves as keys
 * until its next full import, which records every group it holds and clears the flag. While the flag is
 * on, another system's group ids get keys of their own, since any of them may be one the flagged
 * system's roster holds. The other systems imported before are not downstream any more (a run's roster
 * is one file's), as 0019 says of their persons.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('hub')
    .alterTable('import_base')
    .addColumn('unmapped_group_ids', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`
    UPDATE hub.import_base SET unmapped_group_ids = true
    WHERE datasource = (SELECT datasource FROM hub.import_base ORDER BY recorded_at DESC LIMIT 1)`.execute(
    db,
  );
}
