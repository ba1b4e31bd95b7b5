import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { sql } from 'kysely';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { mutateMunicipality } from '../../../fixtures/generator/index.js';
import { bullmqQueueInspector } from '../../../jobs/run-executors.js';
import { startExport } from '../../../src/operations/index.js';
import { recipient } from '../../helpers/hub-fixture.js';
import type { TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { actors, operationsOver, seededDatabase } from '../operations/operations-fixture.js';
import { call, makeTokens, startApi, type TestApi, type Tokens } from './api-fixture.js';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

const family = (families: Families, name: string) => {
  const found = families.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no metric ${name}`);
  return found;
};
/** The samples of a family as `label=value,…` → number. */
const samples = (families: Families, name: string): Record<string, number> =>
  Object.fromEntries(
    family(families, name).metrics.map((sample) => [
      Object.entries(sample.labels ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      Number(sample.value),
    ]),
  );

describe('GET /metrics', () => {
  let database: TestDatabase;
  let api: TestApi;
  let tokens: Tokens;
  const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };

  beforeAll(async () => {
    database = await seededDatabase();
    const base = operationsOver(database.db, (dir) => [
      recipient('lms', 'lms', join(dir, 'lms')),
      recipient('hr', 'staff', join(dir, 'hr')),
      recipient('guarded', 'lms', join(dir, 'g'), {
        feed: { safety: { maxDeletePercent: 0, maxChangePercent: 0 } },
      }),
      recipient('portal', 'portal', join(dir, 'p'), { transport: { kind: 'pull' } }),
    ]);
    const ops = { ...base, queues: bullmqQueueInspector(connection) };
    await startExport(ops, actors.operator, { all: true });
    await mutateMunicipality(database.db, { percent: 5, seed: 23 });
    await startExport(ops, actors.operator, { recipients: ['lms', 'guarded'], feedType: 'delta' });
    // One job that fails for good on the deliver queue: a dead letter, made by BullMQ itself.
    await deadLetter(connection, 'deliver');
    tokens = await makeTokens(ops, []);
    api = await startApi(ops);
  });
  afterAll(async () => {
    await api.close();
    await database.destroy();
  });

  it('needs a token unless served public', async () => {
    expect((await call(api, 'GET', '/metrics')).status).toBe(401);
  });

  it("parses as Prometheus text, and its numbers are the database's and the queues'", async () => {
    const answer = await call(api, 'GET', '/metrics', { token: tokens.viewer });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(answer.body);
    const db = database.db;

    const { rows: runs } = await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n
      FROM hub.run GROUP BY status`.execute(db);
    expect(samples(families, 'pifu_hub_runs')).toEqual({
      'status=running': 0,
      'status=completed': runs.find((row) => row.status === 'completed')?.n ?? 0,
      'status=failed': runs.find((row) => row.status === 'failed')?.n ?? 0,
    });

    const { rows: delivered } = await sql<{
      recipient_id: string;
      feed_type: string;
      n: number;
      bytes: number;
    }>`
      SELECT t.recipient_id, f.feed_type, count(*)::int AS n, sum(t.size_bytes)::float8 AS bytes
      FROM hub.transfer t JOIN hub.feed f ON f.id = t.feed_id WHERE t.status = 'delivered'
      GROUP BY 1, 2`.execute(db);
    expect(samples(families, 'pifu_hub_feeds_delivered_total')).toEqual(
      Object.fromEntries(
        delivered.map((row) => [`recipient=${row.recipient_id},type=${row.feed_type}`, row.n]),
      ),
    );
    expect(samples(families, 'pifu_hub_feed_bytes_delivered_total')).toEqual(
      Object.fromEntries(
        delivered.map((row) => [`recipient=${row.recipient_id},type=${row.feed_type}`, row.bytes]),
      ),
    );
    expect(delivered.length).toBeGreaterThanOrEqual(3);

    const { rows: finished } = await sql<{ n: number; slowest: number }>`SELECT count(*)::int AS n,
      max(extract(epoch FROM finished_at - created_at))::float8 AS slowest
      FROM hub.run WHERE finished_at IS NOT NULL`.execute(db);
    const runSeconds = family(families, 'pifu_hub_run_duration_seconds');
    expect(runSeconds.type).toBe('HISTOGRAM');
    expect(Number(runSeconds.metrics[0]?.count)).toBe(finished[0]?.n);
    expect(Number(runSeconds.metrics[0]?.buckets?.['+Inf'])).toBe(finished[0]?.n);
    expect(Number(runSeconds.metrics[0]?.buckets?.['3600'])).toBe(finished[0]?.n);
    expect(Number(runSeconds.metrics[0]?.sum)).toBeGreaterThanOrEqual(finished[0]?.slowest ?? 0);
    const { rows: written } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM hub.feed
      WHERE status = 'written'`.execute(db);
    expect(Number(family(families, 'pifu_hub_feed_write_duration_seconds').metrics[0]?.count)).toBe(
      written[0]?.n,
    );

    expect(samples(families, 'pifu_hub_holds_waiting')).toEqual({
      'recipient=lms': 0,
      'recipient=hr': 0,
      'recipient=guarded': 1,
      'recipient=portal': 0,
    });
    expect(samples(families, 'pifu_hub_transfers')).toMatchObject({
      'recipient=portal,status=offered': 1,
      'recipient=guarded,status=held': 1,
    });
    const offerAge = samples(families, 'pifu_hub_pull_oldest_unacknowledged_seconds')['recipient=portal'];
    expect(offerAge).toBeGreaterThanOrEqual(0);
    expect(offerAge).toBeLessThan(600);

    const { rows: last } = await sql<{
      at: number;
    }>`SELECT extract(epoch FROM max(delivered_at))::float8 AS at
      FROM hub.transfer WHERE recipient_id = 'lms' AND status = 'delivered'`.execute(db);
    expect(
      samples(families, 'pifu_hub_recipient_last_delivery_timestamp_seconds')['recipient=lms'],
    ).toBeCloseTo(last[0]!.at, 2);
    expect(
      samples(families, 'pifu_hub_recipient_seconds_since_last_delivery')['recipient=portal'],
    ).toBeUndefined();
    // Time since the last delivery: the scrape's clock minus the database's last delivery.
    const sinceLms = samples(families, 'pifu_hub_recipient_seconds_since_last_delivery')['recipient=lms'];
    expect(sinceLms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Date.now() / 1000 - last[0]!.at - sinceLms!)).toBeLessThan(120);

    expect(samples(families, 'pifu_hub_queue_up')).toEqual({ '': 1 });
    expect(samples(families, 'pifu_hub_dead_letters')).toEqual({
      'queue=run': 0,
      'queue=feed': 0,
      'queue=deliver': 1,
    });
    expect(samples(families, 'pifu_hub_queue_jobs')['queue=deliver,state=failed']).toBe(1);
  });

  it('reports the queue as down, and the database numbers all the same, when Redis does not answer', async () => {
    const base = operationsOver(database.db, (dir) => [recipient('lms', 'lms', join(dir, 'lms'))]);
    const away = await startApi({
      ...base,
      queues: bullmqQueueInspector({ redisUrl: 'redis://127.0.0.1:1', prefix: 'nowhere' }),
    });
    try {
      const families = parsePrometheusTextFormat(
        (await call(away, 'GET', '/metrics', { token: tokens.viewer })).body,
      );
      expect(samples(families, 'pifu_hub_queue_up')).toEqual({ '': 0 });
      expect(Object.keys(samples(families, 'pifu_hub_runs'))).toHaveLength(3);
    } finally {
      await away.close();
    }
  });

  it('serves the numbers without a token when started with public metrics', async () => {
    const open = await startApi(
      operationsOver(database.db, (dir) => [recipient('lms', 'lms', join(dir, 'lms'))]),
      { publicMetrics: true },
    );
    try {
      const answer = await call(open, 'GET', '/metrics');
      expect(answer.status).toBe(200);
      expect(parsePrometheusTextFormat(answer.body).map((f) => f.name)).toContain('pifu_hub_runs');
    } finally {
      await open.close();
    }
  });
});

/** Adds one job to `queueName` and lets a worker fail it for good (one attempt). */
async function deadLetter(
  connection: { redisUrl: string; prefix: string },
  queueName: string,
): Promise<void> {
  const redis = { url: connection.redisUrl };
  const queue = new Queue(queueName, { connection: redis, prefix: connection.prefix });
  const events = new QueueEvents(queueName, { connection: redis, prefix: connection.prefix });
  const worker = new Worker(
    queueName,
    async () => {
      throw new Error('a delivery that fails for good');
    },
    { connection: redis, prefix: connection.prefix },
  );
  try {
    await events.waitUntilReady();
    const job = await queue.add('deliver', { transferId: 'none' }, { attempts: 1 });
    await expect(job.waitUntilFinished(events)).rejects.toThrow('a delivery that fails for good');
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}
