import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { HubDatabase } from '../db/index.js';

export interface DisclosureAnswer {
  readonly recipientId: string;
  readonly transferId: string;
  readonly trigger: string;
  /** The operator's reason for the run (a resync, a forget), when one was given. */
  readonly reason: string | null;
  readonly disclosedAt: Date;
  /** Field keys and `id:<useridtype>` entries sent, plus `memberships`. */
  readonly categories: readonly string[];
  readonly legalBasis: string | null;
  readonly purpose: string | null;
  /** Set when the recipient's profile was widened by an override, with what it widened. */
  readonly overrideReason: string | null;
  readonly widenings: readonly string[];
  /** R11: systems the recipient passes data on to. */
  readonly relaysTo: readonly string[];
  readonly sha256Hex: string | null;
}

interface AnswerRow {
  recipient_id: string;
  transfer_id: string;
  trigger: string;
  reason: string | null;
  disclosed_at: Date | string;
  categories: string[];
  legal_basis: string | null;
  purpose: string | null;
  override_reason: string | null;
  widenings: string[] | null;
  relays_to: string[] | null;
  sha256_hex: string | null;
}

/**
 * Every disclosure of one person, newest first: GDPR Art. 15(1)(c). For each recipient the hub has a
 * transfer for (a skip scan of `transfer_recipient_created`, one probe per recipient): the transfers
 * with a row of their own (`disclosure_recipient_person_idx`: deltas), and the fulls whose sequence
 * number falls inside one of the person's spans, from the full that opened it on (the spans' primary
 * key, then the recipient's reconfirmations by sequence range), with their transfer, feed and run rows by primary key. Both are exactly the
 * transfers whose files carried the person (see recordDisclosures). The register has no index that
 * leads with the person (hub migration 0024): a full's rows would land among every other recipient's.
 */
export async function listPersonDisclosures(
  db: Kysely<HubDatabase>,
  personKey: string,
): Promise<DisclosureAnswer[]> {
  const { rows } = await personDisclosuresQuery(personKey).execute(db);
  return rows.map((row) => ({
    recipientId: row.recipient_id,
    transferId: row.transfer_id,
    trigger: row.trigger,
    reason: row.reason,
    disclosedAt: new Date(row.disclosed_at),
    categories: row.categories,
    legalBasis: row.legal_basis,
    purpose: row.purpose,
    overrideReason: row.override_reason,
    widenings: row.widenings ?? [],
    relaysTo: row.relays_to ?? [],
    sha256Hex: row.sha256_hex,
  }));
}

/** listPersonDisclosures' statement, for its plan to be read (EXPLAIN) where that is what is asked. */
export function personDisclosuresQuery(personKey: string): RawBuilder<AnswerRow> {
  return sql<AnswerRow>`
    WITH RECURSIVE recipient AS (
      (SELECT recipient_id FROM hub.transfer ORDER BY recipient_id LIMIT 1)
      UNION ALL
      SELECT (SELECT t.recipient_id FROM hub.transfer t WHERE t.recipient_id > recipient.recipient_id
        ORDER BY t.recipient_id LIMIT 1)
      FROM recipient WHERE recipient.recipient_id IS NOT NULL),
    d AS (
      SELECT own.* FROM recipient r CROSS JOIN LATERAL (
        SELECT transfer_id, recipient_id, categories, disclosed_at FROM hub.disclosure
        WHERE recipient_id = r.recipient_id AND person_key = ${personKey}) own
      UNION ALL
      SELECT rc.transfer_id, rc.recipient_id, s.categories, rc.disclosed_at
      FROM recipient r
      JOIN hub.disclosure_span s ON s.recipient_id = r.recipient_id AND s.person_key = ${personKey}
      JOIN hub.disclosure_reconfirmation rc ON rc.recipient_id = s.recipient_id
        AND rc.seq >= s.opened_seq AND (s.closed_seq IS NULL OR rc.seq < s.closed_seq))
    SELECT d.recipient_id, d.transfer_id, t.trigger, r.reason, d.disclosed_at, d.categories,
      f.legal_basis, f.purpose, f.override_reason, f.widenings, f.relays_to, t.sha256_hex
    FROM d
    JOIN hub.transfer t ON t.id = d.transfer_id
    JOIN hub.feed f ON f.id = t.feed_id
    JOIN hub.run r ON r.id = t.run_id
    ORDER BY d.disclosed_at DESC, d.recipient_id, d.transfer_id`;
}
