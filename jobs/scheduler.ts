import cron from 'node-cron';
import {
  dueSlots,
  formatLocalSlot,
  maxSlotWindowMs,
  recipientSchedules,
  schedulerTimeZone,
  utcOffset,
  type IgnoredSchedule,
  type RecipientSchedule,
  slotRuns,
  slotsBetween,
  type Slot,
  type SlotRun,
} from '../src/schedule/index.js';
import { runDailyRetention } from '../src/retention/index.js';
import { currentProcess, findRun, startRun, type HubContext } from '../src/run/index.js';
import { enqueueRun, type QueueConnection } from './workers.js';

/**
 * The scheduler: each recipient's `schedule.full` and `schedule.delta` (cron, Europe/Oslo wall-clock time)
 * become runs: one per slot instant, of every recipient due then (each with its own feed type), so they
 * share one snapshot of the source. Which slots there are is src/schedule's pure computation; this
 * module only fires them.
 *
 * node-cron 4 skips a time that falls in the spring-forward gap, fires a repeated (fall-back) time at its
 * second occurrence, and drops a beat outright when the event loop is more than a second late. So
 * node-cron is only the tick source: once a minute (in UTC) the scheduler fires every slot after the
 * previous tick up to this one. A late or missed tick delays a slot; it never loses one.
 *
 * Every slot instant has a deterministic run id (its UTC instant). The run row's primary key makes the
 * first scheduler to record it the only one to fire it; the BullMQ job id derives from the run id. So any
 * number of schedulers on one database and Redis fire each slot exactly once. When a full and a delta of
 * the same recipient fall on the same instant, the full wins and no delta is recorded. Schedulers must
 * share one recipient configuration: the first to record an instant's run decides who is in it.
 */

const MINUTE = 60_000;

export type FireOutcome =
  /** This scheduler recorded the run and enqueued it. */
  | 'enqueued'
  /** Another scheduler recorded it first; nothing done. */
  | 'already-fired'
  /** Recorded earlier but not yet started (a scheduler may have died before enqueueing): enqueued again, which BullMQ ignores when the job exists. */
  | 're-enqueued';

/**
 * Records the slot's run (every recipient due at the instant, trigger `schedule`) and enqueues it. Safe
 * to call from any number of schedulers at once: the run id is the slot's, so one insert wins and the
 * others find it.
 */
export async function fireSlot(
  ctx: HubContext,
  connection: QueueConnection,
  slot: SlotRun,
): Promise<FireOutcome> {
  try {
    await startRun(ctx, {
      runId: slot.runId,
      recipientIds: slot.slots.map((due) => due.recipientId),
      trigger: 'schedule',
      feedType: 'delta',
      feedTypes: Object.fromEntries(slot.slots.map((due) => [due.recipientId, due.kind])),
      requestedBy: 'scheduler',
      owner: { execution: 'shared-queue', process: currentProcess() },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const run = await findRun(ctx.db, slot.runId);
    if (run?.status !== 'running' || run.snapshotAt !== null) {
      ctx.logger.info({ runId: slot.runId }, 'slot already fired by another scheduler');
      return 'already-fired';
    }
    await enqueueRun(connection, slot.runId, { wait: false });
    return 're-enqueued';
  }
  await enqueueRun(connection, slot.runId, { wait: false });
  ctx.logger.info(
    {
      runId: slot.runId,
      recipients: slot.slots.map((due) => `${due.recipientId}:${due.kind}`),
      slot: slot.at.toISOString(),
      local: formatLocalSlot(slot.at),
    },
    'scheduled run enqueued',
  );
  return 'enqueued';
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export interface SchedulerOptions {
  readonly timeZone?: string;
  /**
   * On start, also fire slots of this many milliseconds before it (default 10 minutes), so a scheduler
   * restarted just after a slot still fires it; slots another scheduler fired are found and left alone.
   */
  readonly catchUpMs?: number;
  /** Where the first tick's window starts instead (tests). */
  readonly since?: Date;
  readonly now?: () => Date;
  /** Each tick also tells operators what they should know (jobs/notifications); a failure is logged. */
  readonly notify?: (at: Date) => Promise<unknown>;
  /**
   * `source pull` on its own schedule (cron, Europe/Oslo): started by the first tick at or after each of
   * its instants, in the background so a long import delays no recipient's slot; an instant that comes
   * while a pull still runs is skipped (the next pull takes the newest file anyway). A failure is logged.
   */
  readonly sourcePull?: { readonly schedule: string; pull(): Promise<unknown> };
}

export interface Scheduler {
  readonly schedules: readonly RecipientSchedule[];
  readonly ignored: readonly IgnoredSchedule[];
  /**
   * Fires every slot after the previous tick (or the start), up to and including `at`. Ticks run one at
   * a time; the window advances only once all of its slots are fired (a window over 31 days, in 31-day
   * parts), so a failed tick is retried by the next one.
   */
  tick(at?: Date): Promise<{ slot: SlotRun; outcome: FireOutcome }[]>;
  /** Slots after `from` up to `to`, as this scheduler would fire them (for `scheduler --plan`). */
  plan(from: Date, to: Date): Slot[];
  /** When the source pull runs (cron, Europe/Oslo); undefined: the scheduler does not pull. */
  readonly sourcePullSchedule: string | undefined;
  /** Resolves once no source pull is running. */
  pullSettled(): Promise<void>;
}

/** A scheduler driven by explicit ticks: what `startScheduler` runs once a minute, and what tests drive. */
export function createScheduler(
  ctx: HubContext,
  connection: QueueConnection,
  options: SchedulerOptions = {},
): Scheduler {
  const timeZone = options.timeZone ?? schedulerTimeZone;
  utcOffset(new Date(0), timeZone); // an unknown zone fails here, not at the first slot
  const now = options.now ?? (() => new Date());
  const { schedules, ignored } = recipientSchedules(ctx.recipients.values());
  let firedUpTo = options.since ?? new Date(now().getTime() - (options.catchUpMs ?? 10 * MINUTE));
  let running: Promise<unknown> = Promise.resolve();
  let pullCheckedUpTo = firedUpTo;
  let pulling: Promise<void> | undefined;
  const startPullIfDue = (at: Date): void => {
    const sourcePull = options.sourcePull;
    if (sourcePull === undefined || at.getTime() <= pullCheckedUpTo.getTime()) return;
    const from = new Date(Math.max(pullCheckedUpTo.getTime(), at.getTime() - maxSlotWindowMs));
    const due = slotsBetween(sourcePull.schedule, from, at, timeZone).length > 0;
    pullCheckedUpTo = at;
    if (!due) return;
    if (pulling !== undefined) {
      ctx.logger.warn({ at: at.toISOString() }, 'source pull still running; this instant is skipped');
      return;
    }
    pulling = sourcePull
      .pull()
      .then(
        (outcome) => ctx.logger.info({ outcome }, 'scheduled source pull done'),
        (error: unknown) =>
          ctx.logger.error(
            { err: error instanceof Error ? error.message : String(error) },
            'scheduled source pull failed; the next instant tries again',
          ),
      )
      .finally(() => {
        pulling = undefined;
      });
  };
  const tick = async (at: Date): Promise<{ slot: SlotRun; outcome: FireOutcome }[]> => {
    const fired: { slot: SlotRun; outcome: FireOutcome }[] = [];
    // A window longer than dueSlots computes at once (a long catch-up, a machine suspended for weeks)
    // is fired in parts, each advancing the window, so memory stays bounded and nothing is skipped.
    while (at.getTime() > firedUpTo.getTime()) {
      const end = new Date(Math.min(at.getTime(), firedUpTo.getTime() + maxSlotWindowMs));
      for (const slot of slotRuns(dueSlots(schedules, firedUpTo, end, timeZone))) {
        fired.push({ slot, outcome: await fireSlot(ctx, connection, slot) });
      }
      firedUpTo = end;
    }
    startPullIfDue(at);
    await sweepDaily(ctx, at);
    if (options.notify !== undefined) await notifyOnTick(ctx, options.notify, at);
    return fired;
  };
  return {
    schedules,
    ignored,
    tick: (at = now()) => {
      const result = running.then(() => tick(at));
      running = result.catch(() => undefined);
      return result;
    },
    plan: (from, to) => dueSlots(schedules, from, to, timeZone),
    sourcePullSchedule: options.sourcePull?.schedule,
    pullSettled: async () => {
      await pulling;
    },
  };
}

/**
 * The daily retention sweep (R3) rides on the scheduler's tick: once the day's slot (04:45 Europe/Oslo)
 * has passed, the first scheduler to claim the day sweeps; a failure is logged and retried next tick.
 */
async function sweepDaily(ctx: HubContext, at: Date): Promise<void> {
  try {
    await runDailyRetention(ctx, at);
  } catch (error) {
    ctx.logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'daily retention sweep failed; the next tick tries again',
    );
  }
}

/** Notifications ride on the tick too: a failure (the database away) is logged, the next tick tries again. */
async function notifyOnTick(
  ctx: HubContext,
  notify: (at: Date) => Promise<unknown>,
  at: Date,
): Promise<void> {
  try {
    await notify(at);
  } catch (error) {
    ctx.logger.error(
      { err: error instanceof Error ? error.message : String(error) },
      'notification tick failed; the next tick tries again',
    );
  }
}

export interface RunningScheduler extends Scheduler {
  /** When the latest minute tick started (the start, before the first). */
  lastTickAt(): Date;
  stop(): Promise<void>;
}

/**
 * A running scheduler starts a tick every minute (node-cron skips one while the previous still runs):
 * one with no tick started this long is stuck, and its heartbeat stops (jobs/heartbeat.ts).
 */
export const schedulerTickDeadlineMs = 150_000;

/**
 * Fires the recipients' schedules until stopped: node-cron ticks once a minute in UTC (no DST in the
 * tick itself) and each tick fires the slots due since the previous one.
 */
export function startScheduler(
  ctx: HubContext,
  connection: QueueConnection,
  options: SchedulerOptions = {},
): RunningScheduler {
  const scheduler = createScheduler(ctx, connection, options);
  let inFlight: Promise<unknown> = Promise.resolve();
  let lastTickAt = new Date();
  const tick = (): Promise<unknown> => {
    lastTickAt = new Date();
    inFlight = scheduler.tick().catch((error: unknown) => {
      ctx.logger.error(
        { err: error instanceof Error ? error.message : String(error) },
        'scheduler tick failed; its slots are fired by the next tick',
      );
    });
    return inFlight;
  };
  const task = cron.schedule('* * * * *', tick, {
    timezone: 'Etc/UTC',
    name: 'pifu-hub-scheduler',
    noOverlap: true,
  });
  void tick(); // the catch-up window, at once rather than at the next minute
  return {
    ...scheduler,
    lastTickAt: () => lastTickAt,
    stop: async () => {
      await task.destroy();
      await inFlight;
      await scheduler.pullSettled();
    },
  };
}
