import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { createScheduler, fireSlot, startScheduler } from '../../../jobs/scheduler.js';
import { scheduledRunId, type SlotRun } from '../../../src/schedule/index.js';
import { jobIds, queueNames } from '../../../src/queue/index.js';
import { compactTimestamp, startRun, type HubContext } from '../../../src/run/index.js';
import { hubContext, recipient } from '../../helpers/hub-fixture.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';

/** What the run queue holds for a prefix: job ids per state. */
async function runQueueJobs(prefix: string): Promise<{ counts: Record<string, number>; ids: string[] }> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue(queueNames.run, { connection: redis, prefix });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    return { counts, ids: jobs.map((job) => job.id!).sort() };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Scheduled runs, each with its feeds as `recipient:type`, in recipient order. */
async function scheduledRuns(ctx: HubContext): Promise<{ id: string; feeds: string[] }[]> {
  const { rows } = await sql<{ id: string; feeds: string[] }>`
    SELECT r.id, array_agg(f.recipient_id || ':' || f.feed_type ORDER BY f.recipient_id) AS feeds
    FROM hub.run r JOIN hub.feed f ON f.run_id = r.id
    WHERE r.trigger = 'schedule' GROUP BY r.id ORDER BY r.id`.execute(ctx.db);
  return rows;
}

describe('two schedulers on one PostgreSQL and one Redis', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
  });
  afterAll(async () => database.destroy());

  const recipients = (dir: string) => [
    recipient('itslearning', 'lms', dir, { schedule: { full: '0 2 * * *', delta: '0 * * * *' } }),
    recipient('websak', 'archive', dir, { schedule: { full: '30 2 * * *' } }),
    recipient('skole-sms', 'sms', dir, {
      schedule: { full: '0 3 * * *', delta: '*/15 * * * *' },
      feed: { accepts: ['full'] },
    }),
  ];

  const nights = [
    {
      name: 'spring-forward night (2026-03-29)',
      since: '2026-03-28T20:00:00Z',
      end: '2026-03-29T06:00:00Z',
      hourly: [
        '03-28T21',
        '03-28T22',
        '03-28T23',
        '03-29T00',
        '03-29T02',
        '03-29T03',
        '03-29T04',
        '03-29T05',
        '03-29T06',
      ],
      itslearningFull: '2026-03-29T01:00:00Z', // 02:00 does not exist: 03:00 CEST, displacing that hour's delta
      websakFull: '2026-03-29T01:30:00Z', // 02:30 does not exist: 03:30 CEST
      smsFull: '2026-03-29T01:00:00Z', // 03:00 CEST
    },
    {
      name: 'fall-back night (2026-10-25)',
      since: '2026-10-24T20:00:00Z',
      end: '2026-10-25T06:00:00Z',
      hourly: [
        '10-24T21',
        '10-24T22',
        '10-24T23',
        '10-25T01',
        '10-25T02',
        '10-25T03',
        '10-25T04',
        '10-25T05',
        '10-25T06',
      ],
      itslearningFull: '2026-10-25T00:00:00Z', // 02:00 CEST, the first of the two
      websakFull: '2026-10-25T00:30:00Z', // 02:30 CEST, once
      smsFull: '2026-10-25T02:00:00Z', // 03:00 CET
    },
  ];

  it.each(nights)(
    'over the $name, ticking at the same moments, enqueue every slot exactly once',
    async (night) => {
      const ctx = hubContext(database.db, { recipients });
      const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
      const since = new Date(night.since);
      const end = new Date(night.end);
      const a = createScheduler(ctx, connection, { since });
      const b = createScheduler(ctx, connection, { since });

      const outcomes: { slot: SlotRun; outcome: string }[] = [];
      for (let at = since.getTime() + 5 * 60_000; at <= end.getTime(); at += 5 * 60_000) {
        const [firedA, firedB] = await Promise.all([a.tick(new Date(at)), b.tick(new Date(at))]);
        outcomes.push(...firedA, ...firedB);
      }

      // One run per instant, of every recipient due then.
      const due = [
        ...night.hourly.map((hour) => [`2026-${hour}:00:00Z`, 'itslearning:delta']),
        [night.itslearningFull, 'itslearning:full'],
        [night.websakFull, 'websak:full'],
        [night.smsFull, 'skole-sms:full'], // its deltas: full-only recipient
      ];
      const byInstant = new Map<string, string[]>();
      for (const [at, feed] of due) {
        const runId = scheduledRunId(new Date(at!));
        byInstant.set(runId, [...(byInstant.get(runId) ?? []), feed!].sort());
      }
      const expected = [...byInstant].sort(([a], [b]) => a.localeCompare(b));
      expect(expected.some(([, feeds]) => feeds.length > 1)).toBe(true);

      // This night's runs (the database is shared with the other tests): ids start with the slot's time.
      const inNight = (await scheduledRuns(ctx)).filter(
        (run) => run.id > `run-${compactTimestamp(since)}` && run.id < `run-${compactTimestamp(end)}~`,
      );
      expect(inNight.map((run) => [run.id, run.feeds])).toEqual(expected);

      const queued = await runQueueJobs(connection.prefix);
      expect(queued.counts).toEqual({
        waiting: expected.length,
        active: 0,
        delayed: 0,
        completed: 0,
        failed: 0,
      });
      expect(queued.ids).toEqual(expected.map(([runId]) => jobIds.snapshot(runId)).sort());

      // Each slot reached both schedulers; exactly one of them recorded it.
      expect(outcomes).toHaveLength(2 * expected.length);
      const bySlot = new Map<string, string[]>();
      for (const { slot, outcome } of outcomes) {
        bySlot.set(slot.runId, [...(bySlot.get(slot.runId) ?? []), outcome]);
      }
      expect(bySlot.size).toBe(expected.length);
      for (const results of bySlot.values()) {
        expect(results.filter((outcome) => outcome === 'enqueued')).toHaveLength(1);
      }
    },
  );

  it('a slot recorded by a scheduler that died before enqueueing is enqueued by the next one; a started one is left alone', async () => {
    const ctx = hubContext(database.db, { recipients });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const at = new Date('2026-11-02T01:30:00Z');
    const slot: SlotRun = {
      runId: scheduledRunId(at),
      at,
      slots: [
        { recipientId: 'websak', kind: 'full', at, expression: '30 2 * * *', runId: scheduledRunId(at) },
      ],
    };
    await startRun(ctx, {
      runId: slot.runId,
      recipientIds: ['websak'],
      trigger: 'schedule',
      feedType: 'full',
      requestedBy: 'scheduler',
    });
    expect(await fireSlot(ctx, connection, slot)).toBe('re-enqueued');
    expect(await fireSlot(ctx, connection, slot)).toBe('re-enqueued');
    expect((await runQueueJobs(connection.prefix)).ids).toEqual([jobIds.snapshot(slot.runId)]);

    await ctx.db
      .updateTable('hub.run')
      .set({ snapshot_at: new Date() })
      .where('id', '=', slot.runId)
      .execute();
    expect(await fireSlot(ctx, connection, slot)).toBe('already-fired');
    expect((await runQueueJobs(connection.prefix)).ids).toEqual([jobIds.snapshot(slot.runId)]);
  });

  it('startScheduler ticks at once over its catch-up window, then stops', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('inspera', 'assessment', dir, { schedule: { delta: '* * * * *' } })],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const now = new Date();
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    const scheduler = startScheduler(ctx, connection, { since: new Date(minute - 3 * 60_000 + 1) });
    try {
      await scheduler.tick(new Date(minute)); // queued behind the start-up tick: both done after this
    } finally {
      await scheduler.stop();
    }
    const ids = (await scheduledRuns(ctx))
      .filter((run) => run.feeds.includes('inspera:delta'))
      .map((run) => run.id);
    // (a minute boundary passing during the test may add the next minute's slot, fired once like the rest)
    expect(ids.slice(0, 3)).toEqual(
      [2, 1, 0].map((back) => scheduledRunId(new Date(minute - back * 60_000))),
    );
    expect((await runQueueJobs(connection.prefix)).counts['waiting']).toBe(ids.length);
  });

  it('a tick after a pause longer than 31 days fires every slot of it, in 31-day parts', async () => {
    const ctx = hubContext(database.db, {
      recipients: (dir) => [recipient('pas', 'portal', dir, { schedule: { full: '0 2 1 * *' } })],
    });
    const connection = { redisUrl: testRedisUrl(), prefix: `test-${randomUUID()}` };
    const scheduler = createScheduler(ctx, connection, { since: new Date('2026-01-15T00:00:00Z') });
    const fired = await scheduler.tick(new Date('2026-05-15T00:00:00Z')); // 120 days
    expect(fired.map(({ slot, outcome }) => [slot.at.toISOString(), outcome])).toEqual([
      ['2026-02-01T01:00:00.000Z', 'enqueued'],
      ['2026-03-01T01:00:00.000Z', 'enqueued'],
      ['2026-04-01T00:00:00.000Z', 'enqueued'],
      ['2026-05-01T00:00:00.000Z', 'enqueued'],
    ]);
    expect(await scheduler.tick(new Date('2026-05-15T00:00:00Z'))).toEqual([]);
  });
});
