import { Queue } from 'bullmq';
import { HubError } from '../src/errors/index.js';
import { jobStates, type QueueInspector, type RunExecutor } from '../src/ports/index.js';
import { queueNames, type QueueName } from '../src/queue/index.js';
import { finishRun, type HubContext } from '../src/run/index.js';
import { listRunTransfers, recordTransferFailed } from '../src/transfer/index.js';
import { connectQueueRedisOnce } from './queue-redis.js';
import { runInProcess } from './in-process-runner.js';
import { enqueueRun, startWorkers, type QueueConnection } from './workers.js';

/**
 * Runs through BullMQ: this process starts workers for the run and waits for its finish step (other
 * workers on the same Redis may take steps too). Detachable only on a shared Redis (REDIS_URL): a
 * private redis-server ends with this process, so a run left on it would never finish.
 */
export function queueRunExecutor(
  ctx: HubContext,
  connection: () => Promise<QueueConnection>,
  options: {
    shared: boolean;
    /** A private redis-server's death, with a sentence for the operator (see Runtime.queueLost). */
    lost?: () => Promise<string> | undefined;
  },
): RunExecutor {
  return {
    detachable: options.shared,
    execution: () => (options.shared ? 'shared-queue' : 'private-queue'),
    async execute(runId) {
      await runOnQueues(ctx, await connection(), runId, options.lost?.());
    },
    async enqueue(runId) {
      if (!options.shared) {
        throw new HubError('PIFU_QUEUE_UNAVAILABLE', 'no shared queue (REDIS_URL) to hand the run to');
      }
      await enqueueRun(await connection(), runId, { wait: false });
    },
  };
}

/**
 * Runs the run's steps through the queues with workers in this process. If a private redis-server dies
 * meanwhile, the queues are gone with whatever they held: the workers are dropped, the steps running here
 * finish, every transfer still pending is recorded failed with the reason and the run is closed `failed`,
 * and the command ends with one line within seconds, instead of reconnecting for ever.
 */
async function runOnQueues(
  ctx: HubContext,
  connection: QueueConnection,
  runId: string,
  lost: Promise<string> | undefined,
): Promise<void> {
  const workers = startWorkers(ctx, connection, lost === undefined ? {} : { errorGraceMs: 1_000 });
  const abort = new AbortController();
  let lostReason: string | undefined;
  let settled = false;
  void lost?.then((reason) => {
    // After the run: nothing is lost, but closing the workers would wait for it for ever.
    if (settled) {
      void workers.abandon();
      return;
    }
    lostReason = reason;
    abort.abort(new HubError('PIFU_QUEUE_UNAVAILABLE', reason));
  });
  try {
    await enqueueRun(connection, runId, { wait: true, signal: abort.signal });
  } catch (error) {
    if (lostReason === undefined) throw error;
  } finally {
    settled = true;
    if (lostReason === undefined) await workers.close();
    else await workers.abandon();
  }
  if (lostReason === undefined) return;
  const error = `${lostReason} during the run; its queued steps are lost`;
  for (const transfer of await listRunTransfers(ctx.db, runId)) {
    if (transfer.status === 'pending') await recordTransferFailed(ctx.db, transfer.id, error);
  }
  await finishRun(ctx, runId);
  throw new HubError(
    'PIFU_QUEUE_UNAVAILABLE',
    `${error}: run ${runId} is recorded failed (\`pifu-hub run show ${runId}\`); export again to deliver ` +
      'what it did not',
    { retryable: false },
  );
}

/** Step by step in this process, for machines with no Redis at all. */
export function inProcessRunExecutor(ctx: HubContext): RunExecutor {
  return {
    detachable: false,
    execution: () => 'in-process',
    async execute(runId) {
      await runInProcess(ctx, runId);
    },
    async enqueue() {
      throw new HubError('PIFU_QUEUE_UNAVAILABLE', 'no shared queue (REDIS_URL) to hand the run to');
    },
  };
}

/** Jobs per state and the dead letters of each hub queue, from BullMQ; a clear error when Redis does not answer. */
export function bullmqQueueInspector(connection: QueueConnection): QueueInspector {
  return {
    counts: () =>
      withHubQueues(connection, async (queue, name) => {
        const counts = await queue.getJobCounts(...jobStates);
        return {
          queue: name,
          ...(Object.fromEntries(jobStates.map((state) => [state, counts[state] ?? 0])) as Record<
            (typeof jobStates)[number],
            number
          >),
        };
      }),
    deadLetters: async (limit) =>
      (
        await withHubQueues(connection, async (queue, name) =>
          (await queue.getFailed(0, limit - 1)).flatMap((job) =>
            job?.id === undefined ? [] : [{ queue: name, jobId: job.id }],
          ),
        )
      ).flat(),
  };
}

/** One short-lived connection, each hub queue in turn; an unreachable Redis is PIFU_QUEUE_UNAVAILABLE. */
async function withHubQueues<T>(
  connection: QueueConnection,
  read: (queue: Queue, name: QueueName) => Promise<T>,
): Promise<T[]> {
  const redis = await connectQueueRedisOnce(connection.redisUrl, {
    advice: '; check that it runs and the URL is right',
  });
  try {
    const rows: T[] = [];
    for (const name of Object.values(queueNames)) {
      const queue = new Queue(name, { connection: redis, prefix: connection.prefix });
      try {
        rows.push(await read(queue, name));
      } finally {
        await queue.close();
      }
    }
    return rows;
  } finally {
    redis.disconnect();
  }
}
