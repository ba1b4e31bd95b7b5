import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { enqueueRun } from '../../../jobs/workers.js';
import { sql } from 'kysely';
import { findFeed } from '../../../src/feed/index.js';
import { findTransfer } from '../../../src/transfer/index.js';
import { queueNames } from '../../../src/queue/index.js';
import { runIds, startRun } from '../../../src/run/index.js';
import { hubContext, recipientFile, seededDatabase } from '../../helpers/hub-fixture.js';
import { testRedisUrl } from '../../setup/services.js';
import { parseRecipients, spawnWorker, type ChildWorker } from './support/child-worker.js';
import { startHttpsRecipient } from './support/https-recipient.js';
import { expectDeliveredOnce, waitForRun } from './support/run-checks.js';

/** Short BullMQ locks so a killed worker's jobs are taken over in seconds, not a minute. */
const fastTakeover = { lockDurationMs: 2_500, stalledIntervalMs: 500, concurrency: 2 } as const;

const randomBetween = (low: number, high: number): number => low + Math.floor(Math.random() * (high - low));

describe('kill -9 of a worker process (real PostgreSQL and Redis, worker child processes)', () => {
  const database = seededDatabase('mini');

  const spawned: ChildWorker[] = [];
  afterEach(async () => {
    await Promise.all(spawned.splice(0).map((worker) => worker.kill()));
  });

  async function worker(
    connection: { redisUrl: string; prefix: string },
    spoolDir: string,
    recipients: Record<string, unknown>[],
    extra: { deliverDelayMs?: number; maxStalledCount?: number; logLevel?: string } = {},
  ): Promise<ChildWorker> {
    const child = await spawnWorker({
      databaseUrl: database.url,
      ...connection,
      spoolDir,
      recipients,
      ...fastTakeover,
      ...extra,
    });
    spawned.push(child);
    return child;
  }

  /** Resolves when the first job of `queue` becomes active under this prefix. */
  async function firstActive(connection: { redisUrl: string; prefix: string }, queue: string) {
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const events = new QueueEvents(queue, { connection: redis, prefix: connection.prefix });
    await events.waitUntilReady();
    return {
      active: new Promise<void>((resolve) => events.once('active', () => resolve())),
      close: async () => {
        await events.close();
        redis.disconnect();
      },
    };
  }

  async function activeJobs(connection: { redisUrl: string; prefix: string }, queue: string) {
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const lookup = new Queue(queue, { connection: redis, prefix: connection.prefix });
    try {
      return await lookup.getActiveCount();
    } finally {
      await lookup.close();
      redis.disconnect();
    }
  }

  it('during feed writing and then during delivery (file drop): a later worker finishes, once', async () => {
    const tally: string[] = [];
    for (let round = 1; round <= 2; round += 1) {
      const files = (dir: string) => [
        recipientFile('itslearning', 'lms', { kind: 'file-drop', directory: join(dir, 'lms') }),
        recipientFile('websak', 'archive', { kind: 'file-drop', directory: join(dir, 'archive') }),
        recipientFile('skole-sms', 'sms', { kind: 'file-drop', directory: join(dir, 'sms') }),
      ];
      const ctx = hubContext(database.db, { recipients: (dir) => parseRecipients(files(dir)) });
      const recipients = files(ctx.dropDir);
      const connection = { redisUrl: testRedisUrl(), prefix: `kill-${randomUUID()}` };
      const feeds = await firstActive(connection, queueNames.feed);

      // Worker A is killed while it writes feeds.
      const first = await worker(connection, ctx.spoolDir, recipients);
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning', 'websak', 'skole-sms'],
        trigger: 'operator',
        feedType: 'full',
      });
      await enqueueRun(connection, runId, { wait: false });
      await feeds.active;
      await feeds.close();
      // A random moment while a feed job is active: a mini feed now takes a few hundred ms to write,
      // so a fixed sleep could outlast all three; the kill waits for one that is still writing.
      await sleep(randomBetween(0, 60));
      const killBy = Date.now() + 10_000;
      while ((await activeJobs(connection, queueNames.feed)) === 0 && Date.now() < killBy) await sleep(2);
      await first.kill();
      const writing = await activeJobs(connection, queueNames.feed);
      const ids = runIds(runId);
      const pendingFeeds = (
        await Promise.all(
          ['itslearning', 'websak', 'skole-sms'].map((id) => findFeed(ctx.db, ids.feedId(id))),
        )
      ).filter((feed) => feed?.status === 'pending').length;
      expect(writing).toBeGreaterThan(0);
      expect(pendingFeeds).toBeGreaterThan(0);

      // Worker B takes over the feeds, and is killed while it delivers (before or after the copy).
      const second = await worker(connection, ctx.spoolDir, recipients, { deliverDelayMs: 300 });
      let transported = false;
      const delivering = new Promise<void>((resolve) =>
        second.onMessage((message) => {
          if (message.type === 'delivering') resolve();
          if (message.type === 'transported') transported = true;
        }),
      );
      await delivering;
      await sleep(randomBetween(0, 900));
      await second.kill();
      tally.push(
        `round ${round}: A killed with ${writing} feed job(s) writing; B killed ${transported ? 'after' : 'before'} a copy finished`,
      );

      // Worker C finishes the run.
      const third = await worker(connection, ctx.spoolDir, recipients);
      const run = await waitForRun(ctx.db, runId, 40_000);
      expect(run.status).toBe('completed');
      const checks = await expectDeliveredOnce(ctx.db, runId, { fileDrop: true });
      expect(checks.map((check) => check.recipientId)).toEqual(['itslearning', 'skole-sms', 'websak']);
      const partial = checks.flatMap((check) => check.partial);
      if (partial.length > 0)
        tally.push(`round ${round}: temporary files left by a killed copy: ${partial.join(', ')}`);
      expect(await third.stop()).toEqual({ code: 0, signal: null });
    }
    console.log(tally.join('\n'));
  }, 180_000);

  it('during an HTTPS push: the recipient sees the Idempotency-Key at most twice and keeps one body', async () => {
    const recipientServer = await startHttpsRecipient({ answerAfterMs: 400 });
    try {
      const transport = {
        kind: 'https-push',
        url: recipientServer.url,
        ca: { file: recipientServer.caFile },
      };
      const recipients = [
        recipientFile('itslearning', 'lms', transport),
        recipientFile('websak', 'archive', transport),
      ];
      const ctx = hubContext(database.db, { recipients: () => parseRecipients(recipients) });
      const connection = { redisUrl: testRedisUrl(), prefix: `kill-https-${randomUUID()}` };
      const first = await worker(connection, ctx.spoolDir, recipients);
      const requested = new Promise<void>((resolve) => recipientServer.onRequest(() => resolve()));
      const runId = await startRun(ctx, {
        recipientIds: ['itslearning', 'websak'],
        trigger: 'operator',
        feedType: 'full',
      });
      await enqueueRun(connection, runId, { wait: false });
      await requested;
      await sleep(randomBetween(0, 500));
      await first.kill();

      const second = await worker(connection, ctx.spoolDir, recipients);
      expect((await waitForRun(ctx.db, runId, 40_000)).status).toBe('completed');
      const checks = await expectDeliveredOnce(ctx.db, runId, { fileDrop: false });
      const ids = runIds(runId);
      for (const check of checks) {
        const seen = recipientServer.seen.get(check.transferId) ?? 0;
        expect(seen).toBeGreaterThanOrEqual(1);
        expect(seen).toBeLessThanOrEqual(2);
        const feed = await findFeed(ctx.db, ids.feedId(check.recipientId));
        expect(recipientServer.kept.get(check.transferId)).toEqual({
          sha256Hex: feed?.sha256Hex,
          sizeBytes: Number(feed?.sizeBytes),
        });
      }
      expect([...recipientServer.kept.keys()].sort()).toEqual(checks.map((check) => check.transferId).sort());
      console.log(
        `https push after kill -9: requests per Idempotency-Key ${JSON.stringify(Object.fromEntries(recipientServer.seen))}`,
      );
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    } finally {
      await recipientServer.close();
    }
  }, 180_000);

  it('a job that keeps losing its worker ends in the failed set, its transfer failed, nothing delivered', async () => {
    // maxStalledCount 0: the first stall is already one too many (production allows 2).
    const files = (dir: string) => [
      recipientFile('skole-sms', 'sms', { kind: 'file-drop', directory: join(dir, 'sms') }),
    ];
    const ctx = hubContext(database.db, { recipients: (dir) => parseRecipients(files(dir)) });
    const recipients = files(ctx.dropDir);
    const connection = { redisUrl: testRedisUrl(), prefix: `stall-${randomUUID()}` };
    const strict = { maxStalledCount: 0 };
    const first = await worker(connection, ctx.spoolDir, recipients, { ...strict, deliverDelayMs: 2_000 });
    const delivering = new Promise<string>((resolve) =>
      first.onMessage((message) => {
        if (message.type === 'delivering') resolve(message.transferId);
      }),
    );
    const runId = await startRun(ctx, { recipientIds: ['skole-sms'], trigger: 'operator', feedType: 'full' });
    await enqueueRun(connection, runId, { wait: false });
    const transferId = await delivering;
    await first.kill();

    const second = await worker(connection, ctx.spoolDir, recipients, { ...strict, logLevel: 'info' });
    expect((await waitForRun(ctx.db, runId, 30_000)).status).toBe('failed');
    const transfer = await findTransfer(ctx.db, transferId);
    expect([transfer?.status, transfer?.error]).toEqual(['failed', 'job stalled more than allowable limit']);
    const failedLines = second
      .output()
      .split('\n')
      .filter((line) => line.includes('"transfer failed for good"'));
    expect(failedLines).toHaveLength(1);
    expect(JSON.parse(failedLines[0]!)).toMatchObject({ level: 50, recipientId: 'skole-sms', transferId });
    const redis = new Redis(connection.redisUrl, { maxRetriesPerRequest: null });
    const deliver = new Queue(queueNames.deliver, { connection: redis, prefix: connection.prefix });
    try {
      expect(await (await deliver.getJob(transferId))?.getState()).toBe('failed');
    } finally {
      await deliver.close();
      redis.disconnect();
    }
    const { rows } = await sql<{ disclosures: number; states: number }>`
      SELECT (SELECT count(*)::int FROM hub.disclosure WHERE transfer_id = ${transferId}) AS disclosures,
        (SELECT count(*)::int FROM hub.recipient_state WHERE transfer_id = ${transferId}) AS states`.execute(
      database.db,
    );
    expect(rows).toEqual([{ disclosures: 0, states: 0 }]);
  }, 180_000);
});
