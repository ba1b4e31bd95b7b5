import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { HubDatabase, TransferStatus } from '../db/index.js';

/** A histogram as Prometheus keeps it: cumulative counts per upper bound, their sum and count. */
export interface HistogramData {
  readonly upperBounds: readonly number[];
  /** Observations at or below each bound, in the bounds' order. */
  readonly cumulativeCounts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

/**
 * What the hub's tables say about its work, read at scrape time (metrics), so every process that serves
 * them reports the same numbers. Aggregates only: ids of recipients, never anything about a person.
 */
export interface TableMetrics {
  readonly delivered: readonly {
    recipientId: string;
    feedType: 'full' | 'delta';
    feeds: number;
    bytes: number;
  }[];
  readonly transfers: readonly { recipientId: string; status: TransferStatus; count: number }[];
  readonly runs: readonly { status: 'running' | 'completed' | 'failed'; count: number }[];
  readonly runSeconds: HistogramData;
  readonly feedWriteSeconds: HistogramData;
  readonly holdsWaiting: readonly { recipientId: string; count: number }[];
  readonly oldestOffers: readonly { recipientId: string; offeredAt: Date }[];
  readonly lastDeliveries: readonly { recipientId: string; deliveredAt: Date }[];
}

/** Bounds chosen from what runs take: seconds for a tiny municipality, minutes for Oslo. */
const runSecondsBounds = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;
const feedWriteSecondsBounds = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;

export async function readTableMetrics(db: Kysely<HubDatabase>): Promise<TableMetrics> {
  const delivered = await db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select([
      't.recipient_id',
      'f.feed_type',
      sql<number>`count(*)::int`.as('feeds'),
      sql<number>`coalesce(sum(t.size_bytes), 0)::float8`.as('bytes'),
    ])
    .where('t.status', '=', 'delivered')
    .groupBy(['t.recipient_id', 'f.feed_type'])
    .orderBy('t.recipient_id')
    .orderBy('f.feed_type')
    .execute();
  const transfers = await db
    .selectFrom('hub.transfer')
    .select(['recipient_id', 'status', sql<number>`count(*)::int`.as('count')])
    .groupBy(['recipient_id', 'status'])
    .orderBy('recipient_id')
    .orderBy('status')
    .execute();
  const runs = await db
    .selectFrom('hub.run')
    .select(['status', sql<number>`count(*)::int`.as('count')])
    .groupBy('status')
    .orderBy('status')
    .execute();
  const holdsWaiting = await db
    .selectFrom('hub.hold')
    .select(['recipient_id', sql<number>`count(*)::int`.as('count')])
    .where('decision', 'is', null)
    .groupBy('recipient_id')
    .orderBy('recipient_id')
    .execute();
  const oldestOffers = await db
    .selectFrom('hub.transfer')
    .select(['recipient_id', sql<Date>`min(offered_at)`.as('offered_at')])
    .where('status', '=', 'offered')
    .groupBy('recipient_id')
    .orderBy('recipient_id')
    .execute();
  const lastDeliveries = await db
    .selectFrom('hub.transfer')
    .select(['recipient_id', sql<Date>`max(delivered_at)`.as('delivered_at')])
    .where('status', '=', 'delivered')
    .groupBy('recipient_id')
    .orderBy('recipient_id')
    .execute();
  return {
    delivered: delivered.map((row) => ({
      recipientId: row.recipient_id,
      feedType: row.feed_type,
      feeds: row.feeds,
      bytes: row.bytes,
    })),
    transfers: transfers.map((row) => ({
      recipientId: row.recipient_id,
      status: row.status,
      count: row.count,
    })),
    runs: runs.map((row) => ({ status: row.status, count: row.count })),
    runSeconds: await histogram(
      db,
      sql`SELECT extract(epoch FROM finished_at - created_at)::float8 AS d FROM hub.run
        WHERE finished_at IS NOT NULL`,
      runSecondsBounds,
    ),
    feedWriteSeconds: await histogram(
      db,
      sql`SELECT write_ms / 1000.0 AS d FROM hub.feed WHERE status = 'written' AND write_ms IS NOT NULL`,
      feedWriteSecondsBounds,
    ),
    holdsWaiting: holdsWaiting.map((row) => ({ recipientId: row.recipient_id, count: row.count })),
    oldestOffers: oldestOffers.map((row) => ({
      recipientId: row.recipient_id,
      offeredAt: new Date(row.offered_at),
    })),
    lastDeliveries: lastDeliveries.map((row) => ({
      recipientId: row.recipient_id,
      deliveredAt: new Date(row.delivered_at),
    })),
  };
}

/** One pass over `values` (a query with one column `d`), counted into buckets by PostgreSQL. */
async function histogram(
  db: Kysely<HubDatabase>,
  values: RawBuilder<unknown>,
  bounds: readonly number[],
): Promise<HistogramData> {
  const buckets = bounds.map(
    (bound, index) => sql`count(*) FILTER (WHERE d <= ${bound}::float8)::int AS ${sql.ref(`b${index}`)}`,
  );
  const { rows } = await sql<Record<string, number>>`
    SELECT count(*)::int AS count, coalesce(sum(d), 0)::float8 AS sum, ${sql.join(buckets)}
    FROM (${values}) AS observed`.execute(db);
  const row = rows[0] ?? {};
  return {
    upperBounds: bounds,
    cumulativeCounts: bounds.map((_, index) => row[`b${index}`] ?? 0),
    sum: row['sum'] ?? 0,
    count: row['count'] ?? 0,
  };
}
