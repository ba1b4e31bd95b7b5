import { sql, type Kysely } from 'kysely';

/**
 * A written feed records the delivered state it was computed against: the transfer id of the
 * recipient's state at the time, or null for a first full (the recipient held nothing). Both a delta
 * and a full carry state lines relative to that base, so the acknowledgement refuses a feed whose base
 * is no longer the recipient's current delivered state.
 *
 * Held feeds take their base from their hold. Any other feed written before this migration and not yet
 * delivered keeps null, so it is refused (fail closed) once the recipient holds something; the operator
 * runs a new export.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('hub').alterTable('feed').addColumn('based_on_transfer_id', 'text').execute();
  await sql`UPDATE hub.feed f SET based_on_transfer_id = h.based_on_transfer_id
    FROM hub.transfer t JOIN hub.hold h ON h.transfer_id = t.id
    WHERE t.feed_id = f.id`.execute(db);
}
