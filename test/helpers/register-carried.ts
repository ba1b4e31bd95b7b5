import { sql, type RawBuilder } from 'kysely';

/**
 * What the disclosure register says one transfer carried (docs/requirements.md#d8), a row per person
 * entry: a delta's own rows, or the persons of the spans open at a full's sequence number, the spans
 * it opened included. Each person once, unless the register is wrong. `transferId` is a value, or a
 * column of an enclosing query (`sql.ref('t.id')`).
 */
export function carriedByTransfer(
  transferId: string | RawBuilder<unknown>,
): RawBuilder<{ person_key: string; categories: string[] }> {
  return sql<{ person_key: string; categories: string[] }>`
    SELECT person_key, categories FROM hub.disclosure WHERE transfer_id = ${transferId}
    UNION ALL
    SELECT s.person_key, s.categories FROM hub.disclosure_reconfirmation r
      JOIN hub.disclosure_span s ON s.recipient_id = r.recipient_id
     WHERE r.transfer_id = ${transferId}
       AND s.opened_seq <= r.seq AND (s.closed_seq IS NULL OR s.closed_seq > r.seq)`;
}
