import { Option, type Command } from 'commander';
import {
  HubError,
  admitProcess,
  checkPlanHours,
  formatLocalSlot,
  maxSlotWindowHours,
  planSchedules,
  type Slot,
} from '../../../src/operations/index.js';
import { operatorNotifier } from '../../notifications/index.js';
import { defaultInstance, startHeartbeat } from '../../heartbeat.js';
import { schedulerTickDeadlineMs, startScheduler } from '../../scheduler.js';
import { configuredSourcePull } from '../../source-pull.js';
import { openRuntime, readConfiguration, requireWorkerPool } from '../../runtime.js';
import { listenForStop, type StopListener } from '../../stop-signals.js';
import { queueNames, startWorkers, stopGracefully, type QueueName } from '../../workers.js';
import { instant, wholeNumber } from '../cli-options.js';
import { cliActor, quietEnv } from '../cli-session.js';
import { formatTable } from '../output.js';

/** `worker` and `scheduler`: the long-running processes (operator role; audited when they start). */
export function registerProcessCommands(program: Command): void {
  program
    .command('worker')
    .description('take run, feed and deliver jobs from the shared queues until SIGTERM/SIGINT')
    .option('--concurrency <n>', 'jobs at once per queue (1–64)', wholeNumber({ min: 1, max: 64 }), 2)
    .option('--queues <names>', 'comma-separated: run,feed,deliver', 'run,feed,deliver')
    .option('--instance <id>', 'the name its heartbeat is written under (default: the host name)')
    .action(workerCommand);

  program
    .command('scheduler')
    .description(
      "fire each recipient's schedule.full / schedule.delta (cron, Europe/Oslo time) as runs on the shared " +
        'queues, once per slot however many schedulers run; --plan lists the slots instead',
    )
    .option(
      '--catch-up <minutes>',
      'at start, also fire slots this many minutes old (0–1440; another scheduler may have fired them: then nothing happens)',
      wholeNumber({ min: 0, max: 1440 }),
      10,
    )
    .addOption(
      new Option(
        '--plan <hours>',
        `print the slots of the next HOURS hours (1–${maxSlotWindowHours}) and exit (no database, no Redis)`,
      ).argParser((value) => checkPlanHours(wholeNumber({ min: 1, max: 1e15 })(value))),
    )
    .option('--from <time>', 'with --plan: start the window here instead of now (ISO 8601)', instant)
    .option('--json', 'with --plan: one JSON object per slot', false)
    .option('--instance <id>', 'the name its heartbeat is written under (default: the host name)')
    .action(schedulerCommand);
}

async function workerCommand(options: {
  concurrency: number;
  queues: string;
  instance?: string;
}): Promise<void> {
  const queues = options.queues.split(',').map((name) => name.trim());
  const unknown = queues.filter((name) => !Object.values(queueNames).includes(name as QueueName));
  if (unknown.length > 0) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `--queues: unknown queue "${unknown.join(', ')}"; known: run, feed, deliver`,
    );
  }
  const redisUrl = requireWorkerPool('a worker', {
    withoutThem: 'run `pifu-hub export`, which does its own jobs',
  });
  const stop = listenForStop();
  try {
    const runtime = await openRuntime();
    try {
      await admitProcess(
        runtime.operations,
        cliActor(runtime),
        'worker',
        `queues ${queues.join(',')}, concurrency ${options.concurrency}`,
      );
    } catch (error) {
      await runtime.close();
      throw error;
    }
    const workers = startWorkers(
      runtime.context,
      { redisUrl, prefix: runtime.env.queuePrefix },
      { queues: queues as QueueName[], concurrency: options.concurrency },
    );
    // For `pifu-hub health --role worker`: beats while every queue worker runs; gone once stopping.
    const heartbeat = startHeartbeat({
      redisUrl,
      prefix: runtime.env.queuePrefix,
      role: 'worker',
      instance: options.instance ?? defaultInstance(),
      working: () => workers.running(),
      logger: runtime.logger,
    });
    const beatStopped = stop.requested.then(() => heartbeat.stop());
    runtime.logger.info({ queues, concurrency: options.concurrency }, 'worker started');
    // First SIGTERM/SIGINT: take no new jobs, finish the running ones; a second hands them back.
    await stopGracefully(workers, runtime.logger, stop);
    await beatStopped;
    await runtime.close();
  } finally {
    stop.dispose();
  }
}

/**
 * `pifu-hub scheduler`: fire every recipient's schedule until SIGTERM/SIGINT; or, with `--plan HOURS`,
 * print the slots it would fire (from now, or `--from`) and exit, touching neither database nor Redis.
 */
async function schedulerCommand(options: {
  plan?: number;
  from?: Date;
  json: boolean;
  catchUp: number;
  instance?: string;
}): Promise<void> {
  if (options.plan !== undefined) {
    const recipients = readConfiguration(quietEnv()).recipients();
    const { slots, ignored } = planSchedules(
      { recipients: new Map(recipients.map((recipient) => [recipient.id, recipient])) },
      { hours: options.plan, from: options.from ?? new Date() },
    );
    printPlan(slots, options.json);
    for (const schedule of ignored) {
      console.error(
        `${schedule.recipientId}: schedule.${schedule.kind} "${schedule.expression}" ignored: ${schedule.reason}`,
      );
    }
    return;
  }
  const redisUrl = requireWorkerPool('the scheduler', { withoutThem: 'run `pifu-hub export` by hand' });
  const stop = listenForStop();
  try {
    await runScheduler(redisUrl, options.catchUp, options.instance ?? defaultInstance(), stop);
  } finally {
    stop.dispose();
  }
}

async function runScheduler(
  redisUrl: string,
  catchUpMinutes: number,
  instance: string,
  stop: StopListener,
): Promise<void> {
  const runtime = await openRuntime();
  let scheduler;
  try {
    const actor = cliActor(runtime);
    await admitProcess(runtime.operations, actor, 'scheduler', `catch-up ${catchUpMinutes} min`);
    const puller = configuredSourcePull(runtime.env);
    const schedule = puller?.config.schedule;
    const sourcePull =
      puller === undefined || schedule === undefined
        ? undefined
        : {
            schedule,
            pull: () => puller.pull(runtime.operations, actor, undefined),
          };
    const notify = operatorNotifier({
      ctx: runtime.context,
      settings: runtime.env.notifications,
      hub: runtime.env.sourceName,
      queues: runtime.operations.queues,
      logger: runtime.logger,
    });
    scheduler = startScheduler(
      runtime.context,
      { redisUrl, prefix: runtime.env.queuePrefix },
      {
        catchUpMs: catchUpMinutes * 60_000,
        ...(notify === undefined ? {} : { notify }),
        ...(sourcePull === undefined ? {} : { sourcePull }),
      },
    );
  } catch (error) {
    await runtime.close();
    throw error;
  }
  for (const ignored of scheduler.ignored) {
    runtime.logger.warn(ignored, 'schedule ignored');
  }
  // For `pifu-hub health --role scheduler`: beats while the minute tick keeps starting.
  const running = scheduler;
  const heartbeat = startHeartbeat({
    redisUrl,
    prefix: runtime.env.queuePrefix,
    role: 'scheduler',
    instance,
    working: () => Date.now() - running.lastTickAt().getTime() < schedulerTickDeadlineMs,
    logger: runtime.logger,
  });
  const next = scheduler.plan(new Date(), new Date(Date.now() + 8 * 24 * 3_600_000))[0];
  runtime.logger.info(
    {
      schedules: scheduler.schedules.map(
        (schedule) => `${schedule.recipientId} ${schedule.kind} ${schedule.expression}`,
      ),
      timezone: 'Europe/Oslo',
      sourcePull: scheduler.sourcePullSchedule ?? null,
      next: next === undefined ? null : { runId: next.runId, local: formatLocalSlot(next.at) },
    },
    'scheduler started',
  );
  const signal = await stop.requested;
  runtime.logger.info({ signal }, 'scheduler stopping');
  await heartbeat.stop();
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
