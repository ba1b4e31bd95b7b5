import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { jobIds, jobNames, queueNames, type QueueName, type RunJobData } from '../src/queue/index.js';
import type { HubContext } from '../src/run/index.js';
import { deliverProcessor } from './processors/deliver-processor.js';
import { feedProcessor } from './processors/feed-processor.js';
import { finishProcessor, snapshotProcessor } from './processors/snapshot-processor.js';
import { retryOptions } from './processors/retry-options.js';

export interface QueueConnection {
  readonly redisUrl: string;
  readonly prefix: string;
}

export interface RunningWorkers {
  close(): Promise<void>;
}

function connect(redisUrl: string): Redis {
  // BullMQ workers block on Redis; ioredis must not give up on those commands (BullMQ docs).
  return new Redis(redisUrl, { maxRetriesPerRequest: null });
}

/** Starts workers for the given queues; several processes may do this against one Redis. */
export function startWorkers(
  ctx: HubContext,
  connection: QueueConnection,
  options: { queues?: readonly QueueName[]; concurrency?: number } = {},
): RunningWorkers {
  // BullMQ does not close connections it was handed, so every one made here is closed in close().
  const connections: Redis[] = [];
  const open = (): Redis => {
    const redis = connect(connection.redisUrl);
    connections.push(redis);
    return redis;
  };
  const flows = new FlowProducer({ connection: open(), prefix: connection.prefix });
  const concurrency = options.concurrency ?? 2;
  const queues = options.queues ?? Object.values(queueNames);
  const snapshot = snapshotProcessor(ctx, flows);
  const finish = finishProcessor(ctx);
  const processors: Record<QueueName, (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>> =
    {
      run: (job, token, signal) =>
        job.name === jobNames.finish ? finish(job) : snapshot(job, token, signal),
      feed: feedProcessor(ctx),
      deliver: deliverProcessor(ctx),
    };
  const workers = queues.map(
    (name) =>
      new Worker(name, processors[name], {
        connection: open(),
        prefix: connection.prefix,
        concurrency,
      }),
  );
  for (const worker of workers) {
    worker.on('error', (error) =>
      ctx.logger.error({ queue: worker.name, err: error.message }, 'worker error'),
    );
  }
  return {
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await flows.close();
      for (const redis of connections) redis.disconnect();
    },
  };
}

/**
 * Enqueues a recorded run and, with `wait`, resolves when its finish step has run. The snapshot job id
 * is derived from the run id, so enqueueing the same run twice is one job.
 */
export async function enqueueRun(
  connection: QueueConnection,
  runId: string,
  options: { wait: boolean },
): Promise<void> {
  const redis = connect(connection.redisUrl);
  const queue = new Queue<RunJobData>(queueNames.run, { connection: redis, prefix: connection.prefix });
  const eventsRedis = connect(connection.redisUrl);
  const events = new QueueEvents(queueNames.run, { connection: eventsRedis, prefix: connection.prefix });
  try {
    if (options.wait) await events.waitUntilReady();
    const job = await queue.add(
      jobNames.snapshot,
      { runId },
      { ...retryOptions, jobId: jobIds.snapshot(runId) },
    );
    if (!options.wait) return;
    await job.waitUntilFinished(events);
    const finish = await queue.getJob(jobIds.finish(runId));
    if (finish !== undefined) await finish.waitUntilFinished(events);
  } finally {
    await events.close();
    await queue.close();
    redis.disconnect();
    eventsRedis.disconnect();
  }
}
