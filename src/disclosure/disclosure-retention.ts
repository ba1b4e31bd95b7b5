import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';

/**
 * Delivered transfers delivered before `cutoff` that still name persons in the register: by rows of
 * their own (a delta), or (a full) by its reconfirmation and the spans open at it. Oldest first.
 */
export async function transfersNamingPersonsBefore(
  db: Kysely<HubDatabase>,
  cutoff: Date,
): Promise<{ transferId: string; deliveredAt: Date }[]> {
  const { rows } = await sql<{ id: string; delivered_at: Date | string }>`
    SELECT t.id, t.delivered_at FROM hub.transfer t
    WHERE t.status = 'delivered' AND t.delivered_at < ${cutoff}
      AND (EXISTS (SELECT 1 FROM hub.disclosure d WHERE d.transfer_id = t.id)
        OR EXISTS (SELECT 1 FROM hub.disclosure_reconfirmation rc WHERE rc.transfer_id = t.id))
    ORDER BY t.delivered_at, t.id`.execute(db);
  return rows.map((row) => ({ transferId: row.id, deliveredAt: new Date(row.delivered_at) }));
}

/**
 * Reduces the transfers' disclosures to one `disclosure_summary` row each, with counts per category
 * (R3, D8): the persons with rows of their own (a delta's) and those a full carried (the spans open at
 * its sequence number, the ones it opened included) alike. Then their rows and reconfirmations go, and every closed span no
 * remaining reconfirmation falls inside, since nothing it could answer is left. Open spans stay: the
 * next full needs them, and they answer for the reconfirmations still kept. Returns the number of
 * person entries reduced. Run it inside a transaction.
 */
export async function reduceDisclosureTransfers(
  db: Kysely<HubDatabase>,
  transferIds: readonly string[],
  at: Date,
): Promise<number> {
  if (transferIds.length === 0) return 0;
  const ids = [...transferIds];
  const { rows } = await sql<{ persons: number }>`
    WITH x AS (
      SELECT d.transfer_id, d.recipient_id, d.disclosed_at, d.categories FROM hub.disclosure d
      WHERE d.transfer_id = ANY(${ids}::text[])
      UNION ALL
      SELECT rc.transfer_id, rc.recipient_id, rc.disclosed_at, s.categories
      FROM hub.disclosure_reconfirmation rc
      JOIN hub.disclosure_span s ON s.recipient_id = rc.recipient_id
        AND s.opened_seq <= rc.seq AND (s.closed_seq IS NULL OR s.closed_seq > rc.seq)
      WHERE rc.transfer_id = ANY(${ids}::text[])),
    c AS (
      SELECT transfer_id, jsonb_object_agg(category, n) AS categories FROM (
        SELECT transfer_id, category, count(*)::int AS n FROM x, unnest(x.categories) AS category
        GROUP BY transfer_id, category) per_category
      GROUP BY transfer_id),
    summary AS (
      INSERT INTO hub.disclosure_summary (transfer_id, recipient_id, disclosed_at, persons, categories, reduced_at)
      SELECT x.transfer_id, min(x.recipient_id), min(x.disclosed_at), count(*)::int,
        coalesce(min(c.categories::text)::jsonb, '{}'::jsonb), ${at}
      FROM x LEFT JOIN c ON c.transfer_id = x.transfer_id
      GROUP BY x.transfer_id
      ON CONFLICT (transfer_id) DO NOTHING
      RETURNING persons)
    SELECT coalesce(sum(persons), 0)::int AS persons FROM summary`.execute(db);
  await sql`DELETE FROM hub.disclosure WHERE transfer_id = ANY(${ids}::text[])`.execute(db);
  await sql`DELETE FROM hub.disclosure_reconfirmation WHERE transfer_id = ANY(${ids}::text[])`.execute(db);
  await sql`DELETE FROM hub.disclosure_span s WHERE s.closed_seq IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM hub.disclosure_reconfirmation rc WHERE rc.recipient_id = s.recipient_id
      AND rc.seq >= s.opened_seq AND rc.seq < s.closed_seq)`.execute(db);
  return rows[0]?.persons ?? 0;
}
