import { sql, type Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';

/**
 * Where each recipient stands, from the hub's tables: its last delivery, its failed transfers waiting
 * for a retry, its held deltas waiting for an operator, and the feeds it was offered but has not
 * acknowledged (pull). Ids, counts and times only: nothing about a person.
 */
export interface RecipientStanding {
  readonly recipientId: string;
  readonly lastDeliveredAt: Date | null;
  readonly lastTransferAt: Date | null;
  /** Transfers that failed for good and wait for `retry`. */
  readonly failed: number;
  readonly holdsWaiting: number;
  /** Feeds offered to a pull recipient, not acknowledged yet. */
  readonly offered: number;
  readonly oldestOfferAt: Date | null;
}

/** One grouped pass over the transfers and one over the undecided holds, per recipient id. */
export async function readRecipientStandings(db: Kysely<HubDatabase>): Promise<RecipientStanding[]> {
  const transfers = await db
    .selectFrom('hub.transfer')
    .select([
      'recipient_id',
      sql<Date | null>`max(delivered_at) FILTER (WHERE status = 'delivered')`.as('last_delivered'),
      sql<Date | null>`max(created_at)`.as('last_transfer'),
      sql<number>`count(*) FILTER (WHERE status = 'failed')::int`.as('failed'),
      sql<number>`count(*) FILTER (WHERE status = 'offered')::int`.as('offered'),
      sql<Date | null>`min(offered_at) FILTER (WHERE status = 'offered')`.as('oldest_offer'),
    ])
    .groupBy('recipient_id')
    .execute();
  const holds = await db
    .selectFrom('hub.hold')
    .select(['recipient_id', sql<number>`count(*)::int`.as('count')])
    .where('decision', 'is', null)
    .groupBy('recipient_id')
    .execute();
  const waiting = new Map(holds.map((row) => [row.recipient_id, row.count]));
  const ids = [...new Set([...transfers.map((row) => row.recipient_id), ...waiting.keys()])].sort();
  const byId = new Map(transfers.map((row) => [row.recipient_id, row]));
  return ids.map((recipientId) => {
    const row = byId.get(recipientId);
    return {
      recipientId,
      lastDeliveredAt: dateOrNull(row?.last_delivered),
      lastTransferAt: dateOrNull(row?.last_transfer),
      failed: row?.failed ?? 0,
      holdsWaiting: waiting.get(recipientId) ?? 0,
      offered: row?.offered ?? 0,
      oldestOfferAt: dateOrNull(row?.oldest_offer),
    };
  });
}

function dateOrNull(value: Date | string | null | undefined): Date | null {
  return value === null || value === undefined ? null : new Date(value);
}
