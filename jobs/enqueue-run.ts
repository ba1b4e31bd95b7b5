import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { redactUrl } from '../src/db/index.js';
import { HubError } from '../src/errors/index.js';
import { jobIds, jobNames, queueNames, type RunJobData } from '../src/queue/index.js';
import { retryOptions } from './processors/retry-options.js';

export interface QueueConnection {
  readonly redisUrl: string;
  readonly prefix: string;
}

export function connectQueueRedis(redisUrl: string): Redis {
  // BullMQ workers block on Redis; ioredis must not give up on those commands (BullMQ docs).
  return new Redis(redisUrl, { maxRetriesPerRequest: null });
}

/**
 * A short look at the queues' Redis (counting jobs, finding unfinished runs): one quick try, no retries,
 * and PIFU_QUEUE_UNAVAILABLE naming the first error when Redis does not answer. `purpose` and `advice`
 * finish the message (` to look for unfinished runs`, `; check that it runs…`).
 */
export async function connectQueueRedisOnce(
  redisUrl: string,
  message: { purpose?: string; advice?: string } = {},
): Promise<Redis> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  let cause: unknown;
  redis.on('error', (error) => (cause ??= error)); // the first error says why; reported once, below
  try {
    await redis.connect();
  } catch (error) {
    // Ended already (no retries); disconnect() now would leave a 2 s timer behind (ioredis disconnectTimeout).
    if (redis.status !== 'end') redis.disconnect();
    cause ??= error;
    throw new HubError(
      'PIFU_QUEUE_UNAVAILABLE',
      `cannot reach Redis at ${redactUrl(redisUrl)} (REDIS_URL)${message.purpose ?? ''}: ` +
        `${cause instanceof Error ? cause.message : String(cause)}${message.advice ?? ''}`,
      { cause },
    );
  }
  return redis;
}

/**
 * Enqueues a recorded run and, with `wait`, resolves when its finish step has run. The snapshot job id
 * is derived from the run id, so enqueueing the same run twice is one job.
 */
export async function enqueueRun(
  connection: QueueConnection,
  runId: string,
  options: { wait: boolean; signal?: AbortSignal },
): Promise<void> {
  const redis = connectQueueRedis(connection.redisUrl);
  const queue = new Queue<RunJobData>(queueNames.run, { connection: redis, prefix: connection.prefix });
  const eventsRedis = connectQueueRedis(connection.redisUrl);
  const events = new QueueEvents(queueNames.run, { connection: eventsRedis, prefix: connection.prefix });
  // Aborted (its Redis is gone for good): stop waiting, and start closing without waiting for the close,
  // which would ask a server that will never answer (started, it ends QueueEvents' retry loop).
  const aborted = new Promise<never>((_, reject) =>
    options.signal?.addEventListener('abort', () => reject(options.signal!.reason as Error), { once: true }),
  );
  aborted.catch(() => undefined);
  const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, aborted]);
  try {
    if (options.wait) await step(events.waitUntilReady());
    const job = await step(
      queue.add(jobNames.snapshot, { runId }, { ...retryOptions, jobId: jobIds.snapshot(runId) }),
    );
    if (!options.wait) return;
    await step(job.waitUntilFinished(events));
    const finish = await step(queue.getJob(jobIds.finish(runId)));
    if (finish !== undefined) await step(finish.waitUntilFinished(events));
  } finally {
    if (options.signal?.aborted === true) {
      for (const helper of [events, queue]) helper.close().catch(() => undefined);
    } else {
      await events.close();
      await queue.close();
    }
    redis.disconnect();
    eventsRedis.disconnect();
  }
}
