import cron from 'node-cron';
import type { RecipientConfig } from '../src/config/index.js';
import { HubError } from '../src/errors/index.js';
import type { FeedType } from '../src/model/index.js';
import { compactTimestamp, currentProcess, findRun, startRun, type HubContext } from '../src/run/index.js';
import { enqueueRun, type QueueConnection } from './workers.js';

/**
 * The scheduler: each recipient's `schedule.full` and `schedule.delta` (cron, Europe/Oslo wall-clock time)
 * become runs of that one recipient, one per slot.
 *
 * When a slot fires is decided here, by a pure function of (expression, time window, time zone), not by
 * node-cron's own timer. node-cron 4 skips a time that falls in the spring-forward gap, fires a repeated
 * (fall-back) time at its second occurrence, and drops a beat outright when the event loop is more than
 * a second late. So node-cron is only the tick source: once a minute (in UTC) the scheduler fires every
 * slot after the previous tick up to this one. A late or missed tick delays a slot; it never loses one.
 *
 * Daylight saving time (Europe/Oslo: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00):
 * - a wall-clock time that does not exist that day (02:30 on 2026-03-29) fires once, shifted forward by
 *   the length of the gap (03:30 CEST), as RFC 5545 §3.3.5 reads a nonexistent local time (and as
 *   Temporal's `compatible` disambiguation does). A nightly feed is late that night, never missing. For
 *   an hourly or 15-minute expression the shifted times coincide with real slots and collapse into them,
 *   so nothing fires twice;
 * - a wall-clock time that happens twice (02:00–02:59 on 2026-10-25) fires once, at its first occurrence
 *   (CEST) — except for expressions that fire every hour (hour field `*`), which follow elapsed time and
 *   fire at both occurrences: an hourly delta still runs once an hour, 25 times that day.
 *
 * Every slot has a deterministic run id (recipient + kind + the slot's UTC instant). The run row's primary
 * key makes the first scheduler to record it the only one to fire it; the BullMQ job id derives from the
 * run id. So any number of schedulers on one database and Redis fire each slot exactly once. When a full
 * and a delta of the same recipient fall on the same instant, the full wins and no delta is recorded.
 */

export const schedulerTimeZone = 'Europe/Oslo';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A cron expression as the slot computation reads it: node-cron's parse, with minute resolution. */
interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly (number | string)[];
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: readonly (number | string)[];
  /** Fires in every hour of the day: follows elapsed time through a repeated (fall-back) hour. */
  readonly everyHour: boolean;
}

const DAY_OF_MONTH_TOKEN = /^(?:L|L-\d{1,2}|(?:\d{1,2}|L)W)$/;
const DAY_OF_WEEK_TOKEN = /^(?:[0-7]L|[0-7]#[1-5])$/;
const parsedExpressions = new Map<string, CronFields>();

/**
 * Reads a cron expression with node-cron's own parser (names, ranges, steps, lists, `L`, `W`, `#`), so
 * the scheduler accepts what recipient config validation accepts. Day of month and day of week must both
 * match, as node-cron reads them (not Vixie cron's either-or). A seconds field other than 0 is refused:
 * slots have minute resolution.
 */
export function parseSchedule(expression: string): CronFields {
  const cached = parsedExpressions.get(expression);
  if (cached !== undefined) return cached;
  if (!cron.validate(expression)) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `schedule "${expression}" is not a cron expression; write e.g. "0 2 * * *" (Europe/Oslo time)`,
    );
  }
  const parsed = cron.parse(expression);
  if (parsed.second.length !== 1 || parsed.second[0] !== 0) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `schedule "${expression}" fires on seconds; schedules have minute resolution: use five fields`,
    );
  }
  const unknown = [
    ...parsed.dayOfMonth.filter((token) => typeof token === 'string' && !DAY_OF_MONTH_TOKEN.test(token)),
    ...parsed.dayOfWeek.filter((token) => typeof token === 'string' && !DAY_OF_WEEK_TOKEN.test(token)),
  ];
  if (unknown.length > 0) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `schedule "${expression}": cannot read ${unknown.map(String).join(', ')} in its day fields`,
    );
  }
  const hours = [...new Set(parsed.hour)].sort((a, b) => a - b);
  const fields: CronFields = {
    minutes: [...new Set(parsed.minute)].sort((a, b) => a - b),
    hours,
    daysOfMonth: parsed.dayOfMonth,
    months: new Set(parsed.month),
    daysOfWeek: parsed.dayOfWeek.map((token) => (token === 7 ? 0 : token)),
    everyHour: hours.length === 24,
  };
  parsedExpressions.set(expression, fields);
  return fields;
}

// ---- calendar -----------------------------------------------------------------------------------------

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Quartz's `nW`: the weekday nearest day `target`, never leaving the month. */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1;
  const weekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function matchesDayOfMonth(token: number | string, year: number, month: number, day: number): boolean {
  if (typeof token === 'number') return token === day;
  const last = lastDayOfMonth(year, month);
  if (token === 'L') return day === last;
  if (token.startsWith('L-')) return day === last - Number(token.slice(2));
  const target = token === 'LW' ? last : Number(token.slice(0, -1));
  return nearestWeekday(year, month, target) === day;
}

function matchesDayOfWeek(token: number | string, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  if (typeof token === 'number') return token === weekday;
  if (Number(token[0]) % 7 !== weekday) return false;
  if (token.endsWith('L')) return day + 7 > lastDayOfMonth(year, month);
  return Math.ceil(day / 7) === Number(token.slice(2));
}

function matchesDay(fields: CronFields, year: number, month: number, day: number): boolean {
  return (
    fields.months.has(month) &&
    fields.daysOfMonth.some((token) => matchesDayOfMonth(token, year, month, day)) &&
    fields.daysOfWeek.some((token) => matchesDayOfWeek(token, year, month, day))
  );
}

// ---- time zones ---------------------------------------------------------------------------------------

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `timeZone` at an instant, as milliseconds of the same reading in UTC. */
function wallClock(instantMs: number, timeZone: string): number {
  let format = wallClockFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new HubError('PIFU_CONFIG_INVALID', `"${timeZone}" is not an IANA time zone`, { cause: error });
    }
    wallClockFormats.set(timeZone, format);
  }
  const part: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(new Date(instantMs))) part[type] = Number(value);
  return Date.UTC(
    part['year']!,
    part['month']! - 1,
    part['day']!,
    part['hour']! % 24,
    part['minute']!,
    part['second']!,
  );
}

/** UTC offset of `timeZone` at an instant, in milliseconds (Europe/Oslo: one hour in winter, two in summer). */
export function utcOffset(at: Date, timeZone = schedulerTimeZone): number {
  const whole = Math.floor(at.getTime() / 1000) * 1000;
  return wallClock(whole, timeZone) - whole;
}

/**
 * The instants a wall-clock reading denotes: one; none (spring-forward gap: then the reading shifted
 * forward by the gap, read with the offset in force before it); or two (fall-back: earlier first).
 */
function instantsOf(
  wallMs: number,
  timeZone: string,
):
  | { readonly exists: true; readonly at: readonly number[] }
  | { readonly exists: false; readonly at: number } {
  const before = wallClock(wallMs - DAY, timeZone) - (wallMs - DAY);
  const after = wallClock(wallMs + DAY, timeZone) - (wallMs + DAY);
  const candidates = [...new Set([wallMs - before, wallMs - after])]
    .filter((instant) => wallClock(instant, timeZone) === wallMs)
    .sort((a, b) => a - b);
  return candidates.length === 0 ? { exists: false, at: wallMs - before } : { exists: true, at: candidates };
}

/**
 * The instants after `from`, up to and including `to`, at which `expression` fires in `timeZone`, in
 * order, each once. Contiguous windows partition the slots: slotsBetween(a, b) and slotsBetween(b, c)
 * together are exactly slotsBetween(a, c), which is what lets ticks fire each slot once.
 */
export function slotsBetween(expression: string, from: Date, to: Date, timeZone = schedulerTimeZone): Date[] {
  const fields = parseSchedule(expression);
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (!(toMs > fromMs)) return [];
  // Wall-clock readings that can land in the window: the window shifted by every offset in force around
  // it (sampled every 6 hours; zones change offset far less often than that).
  let lowestOffset = Infinity;
  let highestOffset = -Infinity;
  for (let at = fromMs - 2 * DAY; at < toMs + 2 * DAY + 6 * HOUR; at += 6 * HOUR) {
    const offset = wallClock(at, timeZone) - at;
    lowestOffset = Math.min(lowestOffset, offset);
    highestOffset = Math.max(highestOffset, offset);
  }
  const wallLow = fromMs + lowestOffset - HOUR;
  const wallHigh = toMs + highestOffset + HOUR;
  const found = new Set<number>();
  for (let dayStart = Math.floor(wallLow / DAY) * DAY; dayStart <= wallHigh; dayStart += DAY) {
    const date = new Date(dayStart);
    if (!matchesDay(fields, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        const wallMs = dayStart + hour * HOUR + minute * MINUTE;
        if (wallMs < wallLow || wallMs > wallHigh) continue;
        const resolved = instantsOf(wallMs, timeZone);
        const instants = !resolved.exists
          ? [resolved.at]
          : fields.everyHour
            ? resolved.at
            : resolved.at.slice(0, 1);
        for (const instant of instants) if (instant > fromMs && instant <= toMs) found.add(instant);
      }
    }
  }
  return [...found].sort((a, b) => a - b).map((instant) => new Date(instant));
}

/** A slot as an operator reads it: local wall-clock time with its offset, e.g. `2026-03-29T03:30+02:00`. */
export function formatLocalSlot(at: Date, timeZone = schedulerTimeZone): string {
  const offset = utcOffset(at, timeZone);
  const local = new Date(at.getTime() + offset).toISOString().slice(0, 16);
  const minutes = Math.abs(offset) / MINUTE;
  const sign = offset < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

// ---- recipients' schedules ----------------------------------------------------------------------------

export interface RecipientSchedule {
  readonly recipientId: string;
  readonly kind: FeedType;
  readonly expression: string;
}

export interface IgnoredSchedule extends RecipientSchedule {
  readonly reason: string;
}

/**
 * The schedules the recipients' configs ask for: `schedule.full` and `schedule.delta`, the latter only
 * where `feed.accepts` includes deltas. An expression the scheduler cannot read stops it, naming the
 * recipient.
 */
export function recipientSchedules(recipients: Iterable<RecipientConfig>): {
  schedules: RecipientSchedule[];
  ignored: IgnoredSchedule[];
} {
  const schedules: RecipientSchedule[] = [];
  const ignored: IgnoredSchedule[] = [];
  for (const recipient of recipients) {
    for (const kind of ['full', 'delta'] as const) {
      const expression = recipient.schedule?.[kind];
      if (expression === undefined) continue;
      try {
        parseSchedule(expression);
      } catch (error) {
        throw new HubError(
          'PIFU_RECIPIENT_INVALID',
          `${recipient.id}: schedule.${kind}: ${(error instanceof Error ? error.message : String(error)).replace(/^PIFU_[A-Z_]+: /, '')}`,
          { cause: error },
        );
      }
      const schedule = { recipientId: recipient.id, kind, expression };
      if (kind === 'delta' && !recipient.feed.accepts.includes('delta')) {
        ignored.push({ ...schedule, reason: 'feed.accepts does not include "delta"' });
      } else {
        schedules.push(schedule);
      }
    }
  }
  return { schedules, ignored };
}

export interface Slot {
  readonly recipientId: string;
  readonly kind: FeedType;
  /** The slot's instant (UTC). */
  readonly at: Date;
  readonly expression: string;
  readonly runId: string;
}

/**
 * `run-<slot UTC>-sched-<recipient>-<full|delta>`: deterministic, so every scheduler derives the same id;
 * the timestamp first, so feed file names (`<recipient>_<run suffix>_<type>.xml`) still sort by time
 * among the recipient's scheduled and operator runs alike.
 */
export function scheduledRunId(recipientId: string, kind: FeedType, at: Date): string {
  return `run-${compactTimestamp(at)}-sched-${recipientId}-${kind}`;
}

/** Every slot of the schedules after `from`, up to and including `to`; a full displaces a delta of the same recipient and instant. */
export function dueSlots(
  schedules: readonly RecipientSchedule[],
  from: Date,
  to: Date,
  timeZone = schedulerTimeZone,
): Slot[] {
  const slots = new Map<string, Slot>();
  for (const schedule of schedules) {
    for (const at of slotsBetween(schedule.expression, from, to, timeZone)) {
      const key = `${schedule.recipientId} ${at.getTime()}`;
      const existing = slots.get(key);
      if (existing !== undefined && (existing.kind === 'full' || schedule.kind === 'delta')) continue;
      slots.set(key, {
        recipientId: schedule.recipientId,
        kind: schedule.kind,
        at,
        expression: schedule.expression,
        runId: scheduledRunId(schedule.recipientId, schedule.kind, at),
      });
    }
  }
  return [...slots.values()].sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      a.recipientId.localeCompare(b.recipientId) ||
      a.kind.localeCompare(b.kind),
  );
}

// ---- firing -------------------------------------------------------------------------------------------

export type FireOutcome =
  /** This scheduler recorded the run and enqueued it. */
  | 'enqueued'
  /** Another scheduler recorded it first; nothing done. */
  | 'already-fired'
  /** Recorded earlier but not yet started (a scheduler may have died before enqueueing): enqueued again, which BullMQ ignores when the job exists. */
  | 're-enqueued';

/**
 * Records the slot's run (one recipient, trigger `schedule`) and enqueues it. Safe to call from any
 * number of schedulers at once: the run id is the slot's, so one insert wins and the others find it.
 */
export async function fireSlot(
  ctx: HubContext,
  connection: QueueConnection,
  slot: Slot,
): Promise<FireOutcome> {
  try {
    await startRun(ctx, {
      runId: slot.runId,
      recipientIds: [slot.recipientId],
      trigger: 'schedule',
      feedType: slot.kind,
      requestedBy: 'scheduler',
      owner: { execution: 'shared-queue', process: currentProcess() },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const run = await findRun(ctx.db, slot.runId);
    if (run?.status !== 'running' || run.snapshot_at !== null) {
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
      recipientId: slot.recipientId,
      kind: slot.kind,
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
}

export interface Scheduler {
  readonly schedules: readonly RecipientSchedule[];
  readonly ignored: readonly IgnoredSchedule[];
  /**
   * Fires every slot after the previous tick (or the start), up to and including `at`. Ticks run one at
   * a time; the window advances only once all of its slots are fired, so a failed tick is retried by the
   * next one.
   */
  tick(at?: Date): Promise<{ slot: Slot; outcome: FireOutcome }[]>;
  /** Slots after `from` up to `to`, as this scheduler would fire them (for `scheduler --plan`). */
  plan(from: Date, to: Date): Slot[];
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
  const tick = async (at: Date): Promise<{ slot: Slot; outcome: FireOutcome }[]> => {
    const fired: { slot: Slot; outcome: FireOutcome }[] = [];
    if (at.getTime() <= firedUpTo.getTime()) return fired;
    for (const slot of dueSlots(schedules, firedUpTo, at, timeZone)) {
      fired.push({ slot, outcome: await fireSlot(ctx, connection, slot) });
    }
    firedUpTo = at;
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
  };
}

export interface RunningScheduler extends Scheduler {
  stop(): Promise<void>;
}

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
  const tick = (): Promise<unknown> => {
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
    stop: async () => {
      await task.destroy();
      await inFlight;
    },
  };
}
