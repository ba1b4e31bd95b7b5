import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Queue } from 'bullmq';
import { InvalidArgumentError, type Command } from 'commander';
import { Redis } from 'ioredis';
import { loadRecipientConfigs, readEnvironment } from '../../src/config/index.js';
import { redactUrl } from '../../src/db/index.js';
import { disclosureManifestPath } from '../../src/disclosure/index.js';
import { HubError } from '../../src/errors/index.js';
import { queueNames, type QueueName } from '../../src/queue/index.js';
import {
  cancelRun,
  findDeliveryAfter,
  findRun,
  findTransferDetail,
  finishRun,
  listRunTransferDetails,
  listRuns,
  type HubContext,
  type RunListing,
  type RunOutcome,
  type RunTransferDetail,
} from '../../src/run/index.js';
import { stateManifestPath } from '../../src/state/index.js';
import {
  claimFailedTransfer,
  deliverTransfer,
  recordTransferFailed,
  type DeliveryOutcome,
} from '../../src/transfer/index.js';
import { dueSlots, formatLocalSlot, recipientSchedules, startScheduler, type Slot } from '../scheduler.js';
import { openRuntime } from '../runtime.js';
import { formatTable } from './output.js';
import { authorize, positiveInteger, quietEnv, withRuntime } from './command-support.js';

/**
 * Operator commands: `runs`, `run show`, `retry`, `queues`, and the `scheduler` command's action. They
 * read the hub's rows and the queues; only `retry` changes anything (one failed transfer).
 */

const wholeNumber = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return parsed;
};

const instant = (value: string): Date => {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidArgumentError('expected a date and time, e.g. 2026-03-28T22:00:00Z');
  }
  return parsed;
};

const timestamp = (date: Date | null): string => date?.toISOString() ?? '-';

/** A refusal the operator can act on: one line, exit 1, and nothing was changed. */
export class RetryRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryRefused';
  }
}

export function registerOperatorCommands(program: Command): void {
  program
    .command('runs')
    .description('list runs, newest first: trigger, status, recipients and their transfers by outcome')
    .option('--limit <n>', 'at most this many', positiveInteger, 20)
    .option('--json', 'one JSON object per run', false)
    .action(async (options: { limit: number; json: boolean }) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'viewer');
        const runs = await listRuns(runtime.hub.db, { limit: options.limit });
        // A run whose owner is gone but which the recovery at start could not close (see recoverRuns).
        const { stuck } = runtime.recovery;
        if (options.json) {
          for (const run of runs) console.log(JSON.stringify({ ...run, stuck: stuck.get(run.id) ?? null }));
          return;
        }
        if (runs.length === 0) {
          console.log('no runs yet');
          return;
        }
        console.log(formatRuns(runs.map((run) => (stuck.has(run.id) ? { ...run, status: 'stuck' } : run))));
        for (const [runId, why] of stuck) console.error(`${runId} is stuck: ${why}`);
      });
    });

  const run = program.command('run').description('one run');
  run
    .command('cancel')
    .description(
      'end a running run: it and its pending transfers fail with your reason (held ones stay held)',
    )
    .argument('<run>', 'the run id (see `pifu-hub runs`)')
    .requiredOption('--reason <text>', 'why; kept with the run and its transfers')
    .action(async (runId: string, options: { reason: string }) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'operator');
        const outcome = await cancelRun(runtime.context, runId, {
          by: `cli:${userInfo().username}`,
          reason: options.reason,
        });
        console.log(`run ${runId} cancelled: ${outcome.failed} transfer(s) failed, ${outcome.held} held`);
      });
    });
  run
    .command('show')
    .description(
      'a run and one line per transfer: outcome, attempts, counts, bytes, sha-256, location, error',
    )
    .argument('<run>', 'the run id (see `pifu-hub runs`)')
    .option('--json', 'one JSON object: the run and its transfers', false)
    .action(async (runId: string, options: { json: boolean }) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'viewer');
        const run = await findRun(runtime.hub.db, runId);
        if (run === undefined) {
          throw new HubError('PIFU_RUN_UNKNOWN', `no run "${runId}"; list runs with \`pifu-hub runs\``);
        }
        const [listing] = await listRuns(runtime.hub.db, { limit: 1, runId });
        const transfers = await listRunTransferDetails(runtime.hub.db, runId);
        if (options.json) {
          console.log(
            JSON.stringify({
              ...listing,
              persons: run.persons,
              groups: run.groups,
              memberships: run.memberships,
              transfers,
            }),
          );
          return;
        }
        const stuck = runtime.recovery.stuck.get(runId);
        console.log(
          formatRun(stuck === undefined ? listing! : { ...listing!, status: 'stuck' }, run, transfers),
        );
        if (stuck !== undefined) console.error(`${runId} is stuck: ${stuck}`);
      });
    });

  program
    .command('retry')
    .description(
      'deliver a failed transfer again, in this process: same transfer id, same feed file; ' +
        'refused unless the transfer failed, its feed file is still there and the recipient received nothing since',
    )
    .argument('<transfer>', 'the failed transfer id (see `pifu-hub run show RUN` or `pifu-hub transfers`)')
    .action(async (transferId: string) => {
      await withRuntime({}, async (runtime) => {
        authorize(runtime, 'operator');
        try {
          const { delivery, run } = await retryTransfer(runtime.context, transferId, {
            by: `cli:${userInfo().username}`,
          });
          console.log(`${transferId} delivered to ${delivery.location}`);
          if (run !== undefined) console.log(`run ${run.runId} ${run.status}`);
        } catch (error) {
          if (!(error instanceof RetryRefused)) throw error;
          console.error(`error: ${error.message}`);
          process.exitCode = 1;
        }
      });
    });

  program
    .command('queues')
    .description('jobs per state in each queue (run, feed, deliver) on the shared Redis (REDIS_URL)')
    .option('--json', 'one JSON object per queue', false)
    .action(async (options: { json: boolean }) => {
      const env = readEnvironment(quietEnv());
      if (env.redisUrl === undefined) {
        throw new HubError(
          'PIFU_QUEUE_UNAVAILABLE',
          'REDIS_URL is not set, so there are no shared queues to count (without it, export uses a private ' +
            'redis-server that ends with the command); set REDIS_URL to the workers’ Redis',
        );
      }
      const counts = await queueCounts(env.redisUrl, env.queuePrefix);
      if (options.json) {
        for (const row of counts) console.log(JSON.stringify(row));
        return;
      }
      console.log(
        formatTable(
          ['queue', ...jobStates],
          counts.map((row) => [row.queue, ...jobStates.map((state) => row[state])]),
        ),
      );
    });

  program
    .command('scheduler')
    .description(
      "fire each recipient's schedule.full / schedule.delta (cron, Europe/Oslo time) as runs on the shared " +
        'queues, once per slot however many schedulers run; --plan lists the slots instead',
    )
    .option(
      '--catch-up <minutes>',
      'at start, also fire slots this many minutes old (another scheduler may have fired them: then nothing happens)',
      wholeNumber,
      10,
    )
    .option(
      '--plan <hours>',
      'print the slots of the next HOURS hours and exit (no database, no Redis)',
      positiveInteger,
    )
    .option('--from <time>', 'with --plan: start the window here instead of now (ISO 8601)', instant)
    .option('--json', 'with --plan: one JSON object per slot', false)
    .action(schedulerCommand);
}

/** A run as shown: `stuck` when its owner is gone and recovery could not close it. */
type ShownRun = Omit<RunListing, 'status'> & { status: RunListing['status'] | 'stuck' };

function formatRuns(runs: readonly ShownRun[]): string {
  return formatTable(
    [
      'run',
      'trigger',
      'status',
      'created',
      'finished',
      'recipients',
      'delivered',
      'failed',
      'held',
      'skipped',
      'pending',
    ],
    runs.map((run) => [
      run.id,
      run.trigger,
      run.status,
      timestamp(run.createdAt),
      timestamp(run.finishedAt),
      recipientsCell(run.recipientIds),
      run.delivered,
      run.failed,
      run.held,
      run.skipped,
      run.pending,
    ]),
  );
}

function recipientsCell(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')} … (+${ids.length - 2})`;
}

function formatRun(
  listing: ShownRun,
  run: { persons: number | null; groups: number | null; memberships: number | null },
  transfers: readonly RunTransferDetail[],
): string {
  const pairs: [string, string][] = [
    ['run', listing.id],
    ['status', listing.status],
    ['trigger', `${listing.trigger}${listing.requestedBy === null ? '' : ` (by ${listing.requestedBy})`}`],
    ['created', timestamp(listing.createdAt)],
    [
      'snapshot',
      listing.snapshotAt === null
        ? '-'
        : `${timestamp(listing.snapshotAt)} (${run.persons ?? 0} persons, ${run.groups ?? 0} groups, ` +
          `${run.memberships ?? 0} memberships)`,
    ],
    ['finished', timestamp(listing.finishedAt)],
    [
      'transfers',
      `${listing.delivered} delivered, ${listing.failed} failed, ${listing.held} held, ` +
        `${listing.skipped} skipped, ${listing.pending} pending`,
    ],
  ];
  if (listing.reason !== null) pairs.push(['reason', listing.reason]);
  if (listing.error !== null) pairs.push(['error', listing.error]);
  const width = Math.max(...pairs.map(([label]) => label.length));
  const head = pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
  const table = formatTable(
    [
      'recipient',
      'transfer',
      'type',
      'status',
      'attempts',
      'added',
      'changed',
      'deleted',
      'bytes',
      'sha-256',
      'location',
      'error',
    ],
    transfers.map((transfer) => {
      const delta = transfer.feedType === 'delta' && transfer.feedStatus !== 'pending';
      return [
        transfer.recipientId,
        transfer.transferId,
        transfer.feedType,
        transfer.status,
        transfer.attempts,
        delta ? (transfer.added ?? 0) : '-',
        delta ? (transfer.changed ?? 0) : '-',
        delta ? (transfer.deleted ?? 0) : '-',
        transfer.sizeBytes ?? '-',
        transfer.sha256Hex?.slice(0, 16) ?? '-',
        transfer.location ?? '-',
        transfer.error ?? '',
      ];
    }),
  );
  return `${head}\n\n${table}`;
}

/**
 * Delivers a failed transfer again with the same transfer id and the same feed file, in this process
 * (no queue), then closes its run again when the run is over. Refused — changing nothing — unless the
 * transfer is `failed`, its feed file and manifests are still in the spool, and the recipient received
 * no other transfer since the feed was written (the older feed would undo what that one sent: a delta
 * is relative to what the recipient held, a full replaces it). The transfer is claimed by moving it from
 * `failed` to `pending`, so two operators retrying at once deliver it once.
 */
export async function retryTransfer(
  ctx: HubContext,
  transferId: string,
  options: { by: string },
): Promise<{ delivery: DeliveryOutcome; run: RunOutcome | undefined }> {
  const transfer = await findTransferDetail(ctx.db, transferId);
  if (transfer === undefined) {
    throw new HubError(
      'PIFU_RUN_UNKNOWN',
      `no transfer "${transferId}"; see \`pifu-hub run show RUN\` or \`pifu-hub transfers\``,
    );
  }
  if (transfer.status !== 'failed') throw new RetryRefused(notFailed(transfer));
  const file = transfer.filePath;
  if (transfer.feedStatus !== 'written' || file === null) {
    throw new RetryRefused(
      `${transferId}: its feed was never written (feed ${transfer.feedStatus}), so there is nothing to ` +
        `deliver again; start a new run: pifu-hub export --recipient ${transfer.recipientId}`,
    );
  }
  const missing = [file, stateManifestPath(file), disclosureManifestPath(file)].filter(
    (path) => !existsSync(path),
  );
  if (missing.length > 0) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `${transferId}: ${missing.join(', ')} no longer exist (spool retention?); ` +
        `start a new run: pifu-hub export --recipient ${transfer.recipientId}`,
    );
  }
  const later =
    transfer.writtenAt === null
      ? undefined
      : await findDeliveryAfter(ctx.db, transfer.recipientId, transfer.writtenAt);
  if (later !== undefined) {
    throw new RetryRefused(
      `${transferId}: ${transfer.recipientId} received ${later.transferId} at ${later.deliveredAt.toISOString()}, ` +
        `after this feed was written; delivering it now would send out-of-date data. ` +
        `Start a new run: pifu-hub export --recipient ${transfer.recipientId}${transfer.feedType === 'delta' ? ' --delta' : ''}`,
    );
  }
  if (!(await claimFailedTransfer(ctx.db, transferId))) {
    throw new RetryRefused(`${transferId} changed while this retry started (retried elsewhere?); look again`);
  }
  ctx.logger.warn(
    { transferId, runId: transfer.runId, recipientId: transfer.recipientId, by: options.by },
    'failed transfer retried by an operator',
  );
  let delivery: DeliveryOutcome;
  try {
    delivery = await deliverTransfer(ctx, transferId);
  } catch (error) {
    await recordTransferFailed(ctx.db, transferId, error instanceof Error ? error.message : String(error));
    throw error;
  }
  const run = await findRun(ctx.db, transfer.runId);
  return {
    delivery,
    run:
      run === undefined || run.status === 'running'
        ? undefined
        : await finishRun(ctx, transfer.runId, { recount: true }),
  };
}

function notFailed(transfer: RunTransferDetail): string {
  const id = transfer.transferId;
  switch (transfer.status) {
    case 'delivered':
      return `${id} is already delivered (${timestamp(transfer.deliveredAt)}, ${transfer.location ?? '-'}); nothing to retry`;
    case 'pending':
      return `${id} is pending: its run is still under way (see \`pifu-hub run show ${transfer.runId}\`); only a failed transfer can be retried`;
    case 'held':
      return `${id} is held by a safety threshold: decide it with \`pifu-hub hold approve|reject ${id} --reason TEXT\``;
    case 'rejected':
      return `${id} was rejected by an operator; nothing to retry (the next delta proposes the same changes)`;
    case 'skipped':
      return `${id} was skipped (nothing to send); nothing to retry`;
    default:
      return `${id} is ${transfer.status}; only a failed transfer can be retried`;
  }
}

const jobStates = ['waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children'] as const;
type JobStateCount = Record<(typeof jobStates)[number], number>;

/** Jobs per state in each hub queue, from BullMQ's own counts; a clear error when Redis does not answer. */
export async function queueCounts(
  redisUrl: string,
  prefix: string,
): Promise<({ queue: QueueName } & JobStateCount)[]> {
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
      `cannot reach Redis at ${redactUrl(redisUrl)} (REDIS_URL): ${cause instanceof Error ? cause.message : String(cause)}; ` +
        'check that it runs and the URL is right',
      { cause },
    );
  }
  try {
    const rows: ({ queue: QueueName } & JobStateCount)[] = [];
    for (const name of Object.values(queueNames)) {
      const queue = new Queue(name, { connection: redis, prefix });
      try {
        const counts = await queue.getJobCounts(...jobStates);
        rows.push({
          queue: name,
          ...(Object.fromEntries(jobStates.map((state) => [state, counts[state] ?? 0])) as JobStateCount),
        });
      } finally {
        await queue.close();
      }
    }
    return rows;
  } finally {
    redis.disconnect();
  }
}

/**
 * `pifu-hub scheduler`: fire every recipient's schedule until SIGTERM/SIGINT; or, with `--plan HOURS`,
 * print the slots it would fire (from now, or `--from`) and exit, touching neither database nor Redis.
 */
export async function schedulerCommand(options: {
  plan?: number;
  from?: Date;
  json: boolean;
  catchUp: number;
}): Promise<void> {
  if (options.plan !== undefined) {
    const env = readEnvironment(quietEnv());
    const { schedules, ignored } = recipientSchedules(loadRecipientConfigs(env.recipientsDir));
    const from = options.from ?? new Date();
    printPlan(dueSlots(schedules, from, new Date(from.getTime() + options.plan * 3_600_000)), options.json);
    for (const schedule of ignored) {
      console.error(
        `${schedule.recipientId}: schedule.${schedule.kind} "${schedule.expression}" ignored: ${schedule.reason}`,
      );
    }
    return;
  }
  const redisUrl = readEnvironment().redisUrl;
  if (redisUrl === undefined) {
    throw new HubError('PIFU_QUEUE_UNAVAILABLE', 'the scheduler enqueues for a worker pool: set REDIS_URL');
  }
  const runtime = await openRuntime();
  let scheduler;
  try {
    scheduler = startScheduler(
      runtime.context,
      { redisUrl, prefix: runtime.env.queuePrefix },
      { catchUpMs: options.catchUp * 60_000 },
    );
  } catch (error) {
    await runtime.close();
    throw error;
  }
  for (const ignored of scheduler.ignored) {
    runtime.logger.warn(ignored, 'schedule ignored');
  }
  const next = scheduler.plan(new Date(), new Date(Date.now() + 8 * 24 * 3_600_000))[0];
  runtime.logger.info(
    {
      schedules: scheduler.schedules.map(
        (schedule) => `${schedule.recipientId} ${schedule.kind} ${schedule.expression}`,
      ),
      timezone: 'Europe/Oslo',
      next: next === undefined ? null : { runId: next.runId, local: formatLocalSlot(next.at) },
    },
    'scheduler started',
  );
  await new Promise<void>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop());
    process.once('SIGINT', () => resolveStop());
  });
  runtime.logger.info('scheduler stopping');
  await scheduler.stop();
  await runtime.close();
}

function printPlan(slots: readonly Slot[], json: boolean): void {
  if (json) {
    for (const slot of slots) {
      console.log(
        JSON.stringify({
          at: slot.at.toISOString(),
          local: formatLocalSlot(slot.at),
          recipient: slot.recipientId,
          kind: slot.kind,
          expression: slot.expression,
          runId: slot.runId,
        }),
      );
    }
    return;
  }
  if (slots.length === 0) {
    console.log('no slots in that window');
    return;
  }
  console.log(
    formatTable(
      ['local (Europe/Oslo)', 'utc', 'recipient', 'kind', 'cron', 'run id'],
      slots.map((slot) => [
        formatLocalSlot(slot.at),
        slot.at.toISOString().slice(0, 16) + 'Z',
        slot.recipientId,
        slot.kind,
        slot.expression,
        slot.runId,
      ]),
    ),
  );
}
