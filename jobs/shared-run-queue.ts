import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobIds, queueNames, type QueueName } from '../src/queue/index.js';
import { runIds, type QueuedRunState, type RunQueue } from '../src/run/index.js';
import { connectQueueRedisOnce } from './queue-redis.js';
import { enqueueRun, liveStates, type QueueConnection } from './workers.js';

/**
 * The shared queues as crash recovery sees them (src/run's RunQueue): which of a run's jobs BullMQ still
 * holds, and how to enqueue it again. Connects on first use, so a command with no shared-queue run
 * to look at never touches Redis; an unreachable Redis is one clear error, not a hang.
 */
export function sharedRunQueue(connection: QueueConnection): RunQueue & { close(): Promise<void> } {
  let opened: Promise<{ redis: Redis; queues: Record<QueueName, Queue> }> | undefined;
  const open = () => (opened ??= connect(connection));
  return {
    state: async ({ runId, recipientIds }): Promise<QueuedRunState> => {
      const { queues } = await open();
      const ids = runIds(runId);
      const jobs: [QueueName, string][] = [
        [queueNames.run, jobIds.snapshot(runId)],
        [queueNames.run, jobIds.finish(runId)],
        ...recipientIds.flatMap((recipientId): [QueueName, string][] => [
          [queueNames.feed, jobIds.feed(ids.feedId(recipientId))],
          [queueNames.deliver, jobIds.deliver(ids.transferId(recipientId))],
        ]),
      ];
      const states = await Promise.all(jobs.map(([queue, jobId]) => queues[queue].getJobState(jobId)));
      if (states.some((state) => liveStates.has(state))) return 'live';
      return states.every((state) => state === 'unknown') ? 'absent' : 'ended';
    },
    resume: (runId) => enqueueRun(connection, runId, { wait: false }),
    close: async () => {
      if (opened === undefined) return;
      const { redis, queues } = await opened.catch(() => ({ redis: undefined, queues: undefined }));
      await Promise.allSettled(Object.values(queues ?? {}).map((queue) => queue.close()));
      redis?.disconnect();
    },
  };
}

async function connect(connection: QueueConnection) {
  const redis = await connectQueueRedisOnce(connection.redisUrl, { purpose: ' to look for unfinished runs' });
  const queue = (name: QueueName) => new Queue(name, { connection: redis, prefix: connection.prefix });
  return {
    redis,
    queues: { run: queue(queueNames.run), feed: queue(queueNames.feed), deliver: queue(queueNames.deliver) },
  };
}
