import { sql, type Kysely } from 'kysely';

/**
 * A disclosure register that grows with change (docs/requirements.md#d8). A nightly full re-sends every
 * person; a row per person per full would grow the register by the whole roster every night. Instead:
 *
 * - `disclosure_span`: from the full that first carried a person to a recipient with given categories
 *   (it has a `disclosure` row, as before) until the first later full that did not carry them with the
 *   same categories and an unchanged content hash (`closed_seq`; null while open). Spans are written
 *   only by fulls, so a delta in between changes none.
 * - `disclosure_reconfirmation`: one row per delivered full, "carried every person of an open span of
 *   its recipient with an unchanged hash and categories", with how many those were.
 *
 * A full therefore carried person X either by a `disclosure` row or because one of X's spans at that
 * recipient was open at its `seq` (opened_seq < seq, and closed_seq null or > seq). `seq` comes from
 * `disclosure_seq`, taken inside the acknowledgement transaction, which the recipient's state lock
 * serialises, so per recipient it follows the order of acknowledgement.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE SEQUENCE hub.disclosure_seq`.execute(db);
  const hub = db.schema.withSchema('hub');
  await hub
    .createTable('disclosure_span')
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('person_key', 'text', (c) => c.notNull())
    .addColumn('categories', sql`text[]`, (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull().references('hub.transfer.id'))
    .addColumn('opened_seq', 'bigint', (c) => c.notNull())
    .addColumn('closed_seq', 'bigint')
    .addPrimaryKeyConstraint('disclosure_span_pk', ['recipient_id', 'person_key', 'opened_seq'])
    .execute();
  await sql`CREATE UNIQUE INDEX disclosure_span_open_idx ON hub.disclosure_span (recipient_id, person_key)
    WHERE closed_seq IS NULL`.execute(db);
  await hub.createIndex('disclosure_span_person_idx').on('disclosure_span').column('person_key').execute();
  await hub
    .createTable('disclosure_reconfirmation')
    .addColumn('transfer_id', 'text', (c) => c.primaryKey().references('hub.transfer.id'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('disclosed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('persons', 'integer', (c) => c.notNull())
    .execute();
  await hub
    .createIndex('disclosure_reconfirmation_recipient_idx')
    .on('disclosure_reconfirmation')
    .columns(['recipient_id', 'seq'])
    .execute();
}
