import type { Kysely } from 'kysely';

/**
 * The source's own marker of what a snapshot saw (docs/requirements.md#d1): for the records store, the
 * PostgreSQL snapshot the roster was read in. A run keeps its snapshot's marker; a recipient's delivered
 * state keeps the marker of the snapshot it reflects, so a later delta can ask the source whether
 * anything committed since — including a change that committed late with an earlier time than the last
 * one seen, which the snapshot time alone cannot tell. Null for a source that gives none (a PIFU file).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('hub').alterTable('run').addColumn('source_marker', 'text').execute();
  await db.schema
    .withSchema('hub')
    .alterTable('recipient_state')
    .addColumn('source_marker', 'text')
    .execute();
}
