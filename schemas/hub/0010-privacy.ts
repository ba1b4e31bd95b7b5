import { sql, type Kysely } from 'kysely';

/**
 * Issue 15, privacy that holds up in an audit:
 *
 * - `run.scope_date`: the Europe/Oslo calendar day the run's views are computed for (ages, end dates,
 *   date windows), fixed when the snapshot is first taken so retries reproduce it; the recipient state
 *   remembers the day its objects were computed for, so a new day is never a quiet skip. `checked_at`: when
 *   an empty delta last confirmed the state as exact for (snapshot, day, profile), so a quiet store costs
 *   one merge per day, not one per delta.
 * - `feed.pseudonym_fingerprint`: a keyed fingerprint of the pseudonym secret a feed was written with; a
 *   different one at the next feed means the secret was rotated, which renames everyone: a full.
 * - retention (R3): `feed.file_removed_at` and `run.files_removed_at` say what retention deleted;
 *   `disclosure_summary` keeps per-transfer counts once a transfer's disclosure rows have aged out;
 *   `retention_sweep` makes the scheduler's daily sweep happen once however many schedulers run.
 * - `restriction` (GDPR Art. 18): a person kept out of one recipient's feeds (or all, `*`) until lifted;
 *   rows are kept after lifting, so the access report can show the history.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const hub = db.schema.withSchema('hub');
  await hub
    .alterTable('run')
    .addColumn('scope_date', 'text', (c) => c.check(sql`scope_date ~ '^\\d{4}-\\d{2}-\\d{2}$'`))
    .addColumn('files_removed_at', 'timestamptz')
    .execute();
  await hub
    .alterTable('recipient_state')
    .addColumn('scope_date', 'text')
    .addColumn('checked_at', 'timestamptz')
    .execute();
  await hub
    .alterTable('feed')
    .addColumn('pseudonym_fingerprint', 'text')
    .addColumn('file_removed_at', 'timestamptz')
    .execute();

  await hub
    .createTable('disclosure_summary')
    .addColumn('transfer_id', 'text', (c) => c.primaryKey().references('hub.transfer.id'))
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('disclosed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('persons', 'integer', (c) => c.notNull())
    // Category → number of persons it was disclosed for in the transfer.
    .addColumn('categories', 'jsonb', (c) => c.notNull())
    .addColumn('reduced_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await hub
    .createTable('retention_sweep')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .addColumn('summary', 'jsonb')
    .execute();

  await hub
    .createTable('restriction')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('person_key', 'text', (c) => c.notNull())
    // A recipient id, or `*` for every recipient.
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('restricted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lifted_at', 'timestamptz')
    .addColumn('lifted_by', 'text')
    .addColumn('lift_reason', 'text')
    .execute();
  await sql`CREATE UNIQUE INDEX restriction_active_idx ON hub.restriction (person_key, recipient_id)
    WHERE lifted_at IS NULL`.execute(db);
  await hub.createIndex('restriction_person_idx').on('restriction').column('person_key').execute();
}
