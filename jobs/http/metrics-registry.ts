import { Counter, Gauge, Registry } from 'prom-client';
import type { HistogramData, HubMetrics } from '../../src/operations/index.js';

/**
 * The hub's numbers in Prometheus' text format. A fresh registry per scrape, filled from one reading of
 * the database and the queues (readMetrics), so two scrapes at once never mix their numbers and every
 * serving process reports the same truth. The names and what they mean: docs/api.md#metrics.
 */
export async function renderMetrics(metrics: HubMetrics): Promise<{ contentType: string; text: string }> {
  const registry = new Registry();
  const registers = [registry];
  const now = metrics.at.getTime() / 1000;

  const feeds = new Counter({
    name: 'pifu_hub_feeds_delivered_total',
    help: 'Feeds delivered (acknowledged), per recipient and feed type.',
    labelNames: ['recipient', 'type'],
    registers,
  });
  const bytes = new Counter({
    name: 'pifu_hub_feed_bytes_delivered_total',
    help: 'Bytes of the feeds delivered (acknowledged), per recipient and feed type.',
    labelNames: ['recipient', 'type'],
    registers,
  });
  for (const row of metrics.delivered) {
    feeds.inc({ recipient: row.recipientId, type: row.feedType }, row.feeds);
    bytes.inc({ recipient: row.recipientId, type: row.feedType }, row.bytes);
  }

  const transfers = new Gauge({
    name: 'pifu_hub_transfers',
    help: 'Transfers on record, per recipient and status (failed: delivery failed for good, until retried).',
    labelNames: ['recipient', 'status'],
    registers,
  });
  for (const row of metrics.transfers)
    transfers.set({ recipient: row.recipientId, status: row.status }, row.count);

  const runs = new Gauge({
    name: 'pifu_hub_runs',
    help: 'Runs on record, per status.',
    labelNames: ['status'],
    registers,
  });
  for (const status of ['running', 'completed', 'failed'] as const) {
    runs.set({ status }, metrics.runs.find((row) => row.status === status)?.count ?? 0);
  }

  registry.registerMetric(
    histogram(
      'pifu_hub_run_duration_seconds',
      'Time from a run being recorded to its finish.',
      metrics.runSeconds,
    ),
  );
  registry.registerMetric(
    histogram('pifu_hub_feed_write_duration_seconds', 'Time to write one feed.', metrics.feedWriteSeconds),
  );

  const holds = new Gauge({
    name: 'pifu_hub_holds_waiting',
    help: 'Deltas held by a safety threshold, waiting for an operator, per recipient.',
    labelNames: ['recipient'],
    registers,
  });
  for (const id of metrics.recipientIds) holds.set({ recipient: id }, 0);
  for (const row of metrics.holdsWaiting) holds.set({ recipient: row.recipientId }, row.count);

  const offerAge = new Gauge({
    name: 'pifu_hub_pull_oldest_unacknowledged_seconds',
    help: 'Age of the oldest feed a pull recipient was offered and has not acknowledged.',
    labelNames: ['recipient'],
    registers,
  });
  for (const row of metrics.oldestOffers) {
    offerAge.set({ recipient: row.recipientId }, Math.max(0, now - row.offeredAt.getTime() / 1000));
  }

  const lastDelivery = new Gauge({
    name: 'pifu_hub_recipient_last_delivery_timestamp_seconds',
    help: "When each recipient's last transfer was delivered (acknowledged), as a Unix time.",
    labelNames: ['recipient'],
    registers,
  });
  const sinceDelivery = new Gauge({
    name: 'pifu_hub_recipient_seconds_since_last_delivery',
    help: "Seconds since each recipient's last transfer was delivered (acknowledged).",
    labelNames: ['recipient'],
    registers,
  });
  for (const row of metrics.lastDeliveries) {
    const at = row.deliveredAt.getTime() / 1000;
    lastDelivery.set({ recipient: row.recipientId }, at);
    sinceDelivery.set({ recipient: row.recipientId }, Math.max(0, now - at));
  }

  const queueJobs = new Gauge({
    name: 'pifu_hub_queue_jobs',
    help: 'Jobs per queue and state on the shared Redis.',
    labelNames: ['queue', 'state'],
    registers,
  });
  const deadLetters = new Gauge({
    name: 'pifu_hub_dead_letters',
    help: 'Jobs that failed for good (BullMQ failed set), per queue.',
    labelNames: ['queue'],
    registers,
  });
  for (const counts of metrics.queues ?? []) {
    const { queue, ...states } = counts;
    for (const [state, value] of Object.entries(states)) queueJobs.set({ queue, state }, value);
    deadLetters.set({ queue }, counts.failed);
  }
  if (metrics.queueUp !== null) {
    new Gauge({
      name: 'pifu_hub_queue_up',
      help: 'Whether the shared Redis answered this scrape (1) or not (0).',
      registers,
    }).set(metrics.queueUp ? 1 : 0);
  }

  return { contentType: registry.contentType, text: await registry.metrics() };
}

/**
 * A histogram whose buckets PostgreSQL counted: prom-client's Histogram only takes observations one by
 * one, which would mean reading every run and feed at every scrape. Registered as a metric object with
 * the shape prom-client renders.
 */
function histogram(name: string, help: string, data: HistogramData) {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: [
        ...data.upperBounds.map((bound, index) => ({
          metricName: `${name}_bucket`,
          labels: { le: String(bound) },
          value: data.cumulativeCounts[index] ?? 0,
        })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: data.count },
        { metricName: `${name}_sum`, labels: {}, value: data.sum },
        { metricName: `${name}_count`, labels: {}, value: data.count },
      ],
    }),
  };
  return metric as unknown as Parameters<Registry['registerMetric']>[0];
}
