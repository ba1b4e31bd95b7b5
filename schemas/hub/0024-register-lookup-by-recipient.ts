import { sql, type Kysely } from 'kysely';

/**
 * The disclosure register answers "which transfers carried this person" (GDPR Art. 15(1)(c)) through
 * keys that lead with the recipient, not with the person (issue 14, delivery target). The two indexes
 * on `person_key` alone (`disclosure_person`, `disclosure_span_person_idx`) held every recipient's
 * persons interleaved, so a full's thousands of opened persons landed on nearly every leaf page of
 * them: each touched page split or was logged whole after a checkpoint (580 MB of WAL for one
 * 200,000-person full into 800,000 spans, 149 MB without them). Keyed by (recipient_id, person_key),
 * a full's rows land in its own recipient's part of the tree only. The lookup asks each recipient the
 * hub has a transfer for (a skip scan of `transfer_recipient_created`), one index probe each: the
 * spans through their primary key, the rows of their own through the new index.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX disclosure_recipient_person_idx ON hub.disclosure (recipient_id, person_key)`.execute(
    db,
  );
  await sql`DROP INDEX hub.disclosure_person`.execute(db);
  await sql`DROP INDEX hub.disclosure_span_person_idx`.execute(db);
}
