import { FlowProducer, Queue, Worker, type Job, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log/index.js';
import { jobIds, jobNames, queueNames, type QueueName } from '../src/queue/index.js';
export { queueNames, type QueueName } from '../src/queue/index.js';
import type { HubContext } from '../src/run/index.js';
import { recipientLockFor, type RecipientLock } from '../src/transfer/index.js';
import { deliverProcessor } from './processors/deliver-processor.js';
import { feedProcessor } from './processors/feed-processor.js';
import { recordFinalFailure } from './processors/final-failure.js';
import { recipientGate } from './processors/recipient-gate.js';
import { finishProcessor, snapshotProcessor } from './processors/snapshot-processor.js';
import { type QueueConnection } from './enqueue-run.js';
import { connectQueueRedis as connect } from './queue-redis.js';
import type { StopListener } from './stop-signals.js';

export { enqueueRun, type QueueConnection } from './enqueue-run.js';

export interface RunningWorkers {
  /** Every queue worker runs and none is closing: what the heartbeat reports (jobs/heartbeat.ts). */
  running(): boolean;
  /**
   * Stops taking jobs and resolves once the jobs this process is running have finished, then closes
   * every connection. With `force`, does not wait: the running jobs are released (moved back to wait,
   * for another worker to take) and the process may exit; their work here is abandoned mid-step, which
   * every step tolerates.
   */
  close(options?: { force?: boolean }): Promise<void>;
  /**
   * For a Redis that is gone for good (a private redis-server that died): drops every connection without
   * a word to Redis and without logging its errors, and resolves once the steps running in this process
   * have returned (so the caller may then record what they left undone).
   */
  abandon(): Promise<void>;
}

export interface WorkerOptions {
  readonly queues?: readonly QueueName[];
  /** Jobs at once per queue in this process. */
  readonly concurrency?: number;
  /**
   * How long BullMQ's lock on an active job lasts (renewed every half of it while the job runs). A worker
   * that stops renewing it, because it died, is presumed dead after this long and its job is taken by
   * another worker. Default 60 s: a long event-loop stall must not look like a death (if it does, the
   * recipient lock still keeps two runs of one step apart).
   */
  readonly lockDurationMs?: number;
  /** How often each worker looks for stalled jobs (two looks find one). Default 30 s. */
  readonly stalledIntervalMs?: number;
  /**
   * How often one job may stall (lose its worker) before BullMQ fails it for good: a job that kills its
   * worker every time (out of memory, say) must end in the failed set, not crash the fleet forever.
   * Default 2.
   */
  readonly maxStalledCount?: number;
  /** Wait between tries to report a job's result while Redis is unreachable. Default 2 s. */
  readonly runRetryDelayMs?: number;
  /** The recipient lock; by default the one that fits the hub database (see recipientLockFor). */
  readonly recipientLock?: RecipientLock;
  /**
   * Log a Redis error only if the workers are not abandoned this long after it. For a private
   * redis-server: its sockets close a moment before its exit is seen, and the one line that exit ends
   * in says all there is to say. Default 0: log at once.
   */
  readonly errorGraceMs?: number;
}

const workerDefaults = {
  concurrency: 2,
  lockDurationMs: 60_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  runRetryDelayMs: 2_000,
} as const;

/** A job is still on its way in any of these states (a run with such a job is not abandoned). */
export const liveStates: ReadonlySet<JobState | 'unknown'> = new Set<JobState | 'unknown'>([
  'active',
  'waiting',
  'waiting-children',
  'delayed',
  'prioritized',
]);

/** Starts workers for the given queues; several processes may do this against one Redis. */
export function startWorkers(
  ctx: HubContext,
  connection: QueueConnection,
  options: WorkerOptions = {},
): RunningWorkers {
  // BullMQ does not close connections it was handed, so every one made here is closed in close().
  const connections: Redis[] = [];
  const open = (): Redis => {
    const redis = connect(connection.redisUrl);
    connections.push(redis);
    return redis;
  };
  const settings = { ...workerDefaults, ...definedOnly(options) };
  const flows = new FlowProducer({ connection: open(), prefix: connection.prefix });
  const lookups = {
    run: new Queue(queueNames.run, { connection: open(), prefix: connection.prefix }),
    deliver: new Queue(queueNames.deliver, { connection: open(), prefix: connection.prefix }),
  };
  const gate = recipientGate(ctx, {
    lock: lazyLock(ctx, options.recipientLock),
    inFlight: async (transfer) =>
      liveStates.has(await lookups.deliver.getJobState(jobIds.deliver(transfer.id))) ||
      liveStates.has(await lookups.run.getJobState(jobIds.snapshot(transfer.runId))),
  });
  const queues = options.queues ?? Object.values(queueNames);
  const snapshot = snapshotProcessor(ctx, flows);
  const finish = finishProcessor(ctx);
  const active = new Map<string, { job: Job; token: string | undefined }>();
  const tracked =
    (handler: (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>) =>
    async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
      const key = `${job.queueName}:${job.id ?? ''}`;
      active.set(key, { job, token });
      try {
        return await handler(job, token, signal);
      } finally {
        active.delete(key);
      }
    };
  const processors: Record<QueueName, (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>> =
    {
      run: (job, token, signal) =>
        job.name === jobNames.finish ? finish(job) : snapshot(job, token, signal),
      feed: feedProcessor(ctx, gate),
      deliver: deliverProcessor(ctx, gate),
    };
  const workers = queues.map(
    (name) =>
      new Worker(name, tracked(processors[name]), {
        connection: open(),
        prefix: connection.prefix,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: settings.maxStalledCount,
        runRetryDelay: settings.runRetryDelayMs,
      }),
  );
  let abandoned = false;
  const report = (log: () => void): void => {
    const logUnlessAbandoned = (): void => {
      if (!abandoned) log();
    };
    if (settings.errorGraceMs === undefined) logUnlessAbandoned();
    else setTimeout(logUnlessAbandoned, settings.errorGraceMs).unref();
  };
  const helperError = (error: Error): void =>
    report(() => ctx.logger.warn({ err: error.message }, 'queue connection error (Redis unreachable?)'));
  flows.on('error', helperError);
  lookups.run.on('error', helperError);
  lookups.deliver.on('error', helperError);
  for (const worker of workers) {
    worker.on('error', (error) => {
      report(() => ctx.logger.error({ queue: worker.name, err: error.message }, 'worker error'));
    });
    worker.on('stalled', (jobId) =>
      ctx.logger.warn({ queue: worker.name, jobId }, 'job stalled (its worker died?); it runs again'),
    );
    worker.on('failed', (job, error) => {
      // A job BullMQ failed without running it: stalled too often, or a deliver job whose feed failed.
      if (job?.deferredFailure === undefined) return;
      void recordFinalFailure(ctx, job, error.message, 'event');
    });
  }

  let closing: Promise<void> | undefined;
  let release: (() => void) | undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const closeAll = async (): Promise<void> => {
    await Promise.race([Promise.all(workers.map((worker) => worker.close())), released]);
    await Promise.allSettled([flows.close(), lookups.run.close(), lookups.deliver.close()]);
    for (const redis of connections) redis.disconnect();
  };
  return {
    running: () => !abandoned && closing === undefined && workers.every((worker) => worker.isRunning()),
    close: async ({ force = false } = {}) => {
      if (force) {
        // Back to wait, lock dropped: another worker takes them now rather than after lockDuration.
        await Promise.allSettled(
          [...active.values()].map(async ({ job, token }) => {
            if (token !== undefined) await job.moveToWait(token);
          }),
        );
        ctx.logger.warn({ jobs: [...active.keys()] }, 'released running jobs to other workers');
        release?.();
      }
      closing ??= closeAll();
      return closing;
    },
    abandon: async () => {
      abandoned = true;
      for (const redis of connections) redis.disconnect();
      for (const worker of workers) worker.close(true).catch(() => undefined);
      // Not awaited: they would wait for Redis; started, they stop their retry loops at once.
      for (const helper of [flows, lookups.run, lookups.deliver]) helper.close().catch(() => undefined);
      while (active.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/** The recipient lock, picked on first use (it asks the database what it is) and kept once known. */
function lazyLock(ctx: HubContext, given: RecipientLock | undefined): () => Promise<RecipientLock> {
  let lock: Promise<RecipientLock> | undefined = given === undefined ? undefined : Promise.resolve(given);
  return () => {
    lock ??= recipientLockFor(ctx.db).catch((error: unknown) => {
      lock = undefined;
      throw error;
    });
    return lock;
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/**
 * Graceful stop for a worker process (`pifu-hub worker`): on the first SIGTERM or SIGINT it stops taking
 * jobs and waits for the running ones to finish, then resolves, so the caller closes the runtime and the
 * process exits 0. A second signal, or `graceMs` running out, stops at once instead: the running jobs are
 * released to other workers (moved back to wait) and the process exits 0 right away; whatever they had
 * not committed is done again by whoever takes them (every step tolerates that, docs/requirements.md#d2).
 */
export async function stopGracefully(
  workers: RunningWorkers,
  logger: Logger,
  stop: StopListener,
  options: { graceMs?: number } = {},
): Promise<void> {
  const signal = await stop.requested;
  logger.info({ signal }, 'worker stopping: no new jobs; waiting for running ones to finish');
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stopNow = (why: string): void => {
      logger.warn({ why }, 'worker stopping now: releasing running jobs');
      workers.close({ force: true }).then(
        () => {
          logger.flush?.();
          process.exit(process.exitCode ?? 0);
        },
        (error: unknown) => reject(error),
      );
    };
    stop.onRepeat((again) => stopNow(`second ${again}`));
    if (options.graceMs !== undefined) {
      timer = setTimeout(() => stopNow(`still running after ${options.graceMs} ms`), options.graceMs);
      timer.unref();
    }
    workers.close().then(() => {
      clearTimeout(timer);
      stop.dispose();
      logger.info('worker stopped');
      resolve();
    }, reject);
  });
}
