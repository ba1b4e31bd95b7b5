import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqQueueInspector } from '../../../jobs/run-executors.js';
import { countQueues } from '../../../src/operations/index.js';
import { findFreePort } from '../../../src/queue/embedded-redis.js';
import { queueNames } from '../../../src/queue/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { testRedisUrl } from '../../setup/services.js';
import { actors, attempt, codeOf, expectDenied, operationsOver, succeeds } from './operations-fixture.js';

describe('countQueues', () => {
  let database: TestDatabase;
  let ops: ReturnType<typeof operationsOver>;
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let runQueue: Queue;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: true });
    ops = {
      ...operationsOver(database.db, () => []),
      queues: bullmqQueueInspector({ redisUrl: testRedisUrl(), prefix }),
    };
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    runQueue = new Queue(queueNames.run, { connection: redis, prefix });
  });
  afterAll(async () => {
    await runQueue.obliterate({ force: true });
    await runQueue.close();
    redis.disconnect();
    await database.destroy();
  });

  it('counts the jobs per state in each hub queue of the shared Redis, for a viewer, unaudited', async () => {
    const empty = await countQueues(ops, actors.viewer);
    const zero = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, 'waiting-children': 0 };
    expect(empty).toEqual([
      { queue: 'run', ...zero },
      { queue: 'feed', ...zero },
      { queue: 'deliver', ...zero },
    ]);

    await runQueue.add('snapshot', { runId: 'run-1' });
    await runQueue.add('snapshot', { runId: 'run-2' }, { delay: 60_000 });
    const { result, rows } = await succeeds(database.db, () => countQueues(ops, actors.viewer));
    expect(result.find((counts) => counts.queue === 'run')).toEqual({
      queue: 'run',
      ...zero,
      waiting: 1,
      delayed: 1,
    });
    expect(rows).toEqual([]);
  });

  it('without shared queues (no REDIS_URL): PIFU_QUEUE_UNAVAILABLE saying to set it', async () => {
    const outcome = await attempt(database.db, () =>
      countQueues({ ...ops, queues: undefined }, actors.viewer),
    );
    expect(codeOf(outcome)).toMatchObject({
      code: 'PIFU_QUEUE_UNAVAILABLE',
      message: expect.stringContaining('REDIS_URL is not set'),
    });
    expect(outcome.rows).toEqual([]);
  });

  it('with a Redis that does not answer: PIFU_QUEUE_UNAVAILABLE naming the URL, soon', async () => {
    const url = `redis://127.0.0.1:${await findFreePort()}`;
    const started = Date.now();
    const outcome = await attempt(database.db, () =>
      countQueues({ ...ops, queues: bullmqQueueInspector({ redisUrl: url, prefix }) }, actors.viewer),
    );
    expect(codeOf(outcome)).toMatchObject({
      code: 'PIFU_QUEUE_UNAVAILABLE',
      message: expect.stringContaining(`cannot reach Redis at ${url}`),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an actor with no role, audited as denied, before touching Redis', async () => {
    // Pointed at a Redis that does not answer: the role is checked first, so the error is FORBIDDEN.
    const dead = bullmqQueueInspector({ redisUrl: `redis://127.0.0.1:${await findFreePort()}`, prefix });
    await expectDenied(database.db, () => countQueues({ ...ops, queues: dead }, actors.nobody), {
      actor: actors.nobody,
      action: 'queues',
      role: 'viewer',
    });
  });

  it('lists the dead letters of each queue (BullMQ failed set) by queue and job id, for notifications', async () => {
    const feedQueue = new Queue(queueNames.feed, { connection: redis, prefix });
    const workerRedis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const worker = new Worker(
      queueNames.feed,
      async () => {
        throw new Error('fails for good');
      },
      { connection: workerRedis, prefix },
    );
    try {
      const failed = new Promise((resolve) => worker.once('failed', resolve));
      await feedQueue.add('feed', { feedId: 'feed-x' }, { jobId: 'feed-feed-x', attempts: 1 });
      await failed;
      expect(await ops.queues!.deadLetters(10)).toEqual([{ queue: 'feed', jobId: 'feed-feed-x' }]);
    } finally {
      await worker.close();
      workerRedis.disconnect();
      await feedQueue.obliterate({ force: true });
      await feedQueue.close();
    }
  });
});
