import { sql, type Kysely } from 'kysely';

/**
 * A full no longer writes a `disclosure` row beside each span it opens (issue 14, delivery target;
 * docs/requirements.md#d8). The row said what the span says (the opening transfer, the person, the
 * recipient, the categories; its time is the full's reconfirmation's), so a full carried a person
 * exactly when one of their spans at the recipient is open at the full's sequence number, the span it
 * opened included. A first full of Oslo's largest recipient wrote 200,000 spans and 200,000 such rows
 * in the acknowledgement transaction; now only the spans. The rows already written that a span
 * repeats go, so the register answers each transfer once; rows of a full that opened no span (written
 * before 0012) and every delta's rows stay.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM hub.disclosure d USING hub.disclosure_span s
    WHERE s.recipient_id = d.recipient_id AND s.person_key = d.person_key AND s.opened_by = d.transfer_id`.execute(
    db,
  );
}
