import { Queue, QueueEvents } from 'bullmq';
import { hubErrorFromMessage } from '../src/errors/index.js';
import { jobIds, jobNames, queueNames, type RunJobData } from '../src/queue/index.js';
import { connectQueueRedis } from './queue-redis.js';
import { retryOptions } from './processors/retry-options.js';

export interface QueueConnection {
  readonly redisUrl: string;
  readonly prefix: string;
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
  } catch (error) {
    // A step that failed for good comes back as its message only: the hub's error it was, if it was one
    // (a source drop ends the command in its own PIFU_ line, not as an unexpected error).
    const hubError =
      options.signal?.aborted === true || !(error instanceof Error)
        ? undefined
        : hubErrorFromMessage(error.message);
    throw hubError ?? error;
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
