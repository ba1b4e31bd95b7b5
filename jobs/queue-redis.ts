import { Redis } from 'ioredis';
import { redactUrl } from '../src/db/open-database.js';
import { HubError } from '../src/errors/index.js';

/*
 * Connections to the queues' Redis, apart from BullMQ (jobs/enqueue-run.ts) so that what only needs a
 * connection (the `health` check) does not load the queue library.
 */

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
