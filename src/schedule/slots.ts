import { HubError } from '../errors/index.js';
import type { FeedType } from '../model/index.js';
import { compactTimestamp } from '../run/run-ids.js';
import { matchesDay } from './cron-days.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, instantsOf, schedulerTimeZone, wallClock } from './oslo-time.js';
import { parseSchedule } from './parse-schedule.js';

/**
 * When a schedule fires: a pure function of (expression, time window, time zone).
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
 */

/**
 * The longest window `dueSlots` computes: 31 days. Slots are held in memory, so an unbounded window
 * (`scheduler --plan 99999999`) would exhaust it; a month covers every plan an operator reads and every
 * scheduler tick (a longer pause is fired in windows of this size).
 */
export const maxSlotWindowHours = 744;
export const maxSlotWindowMs = maxSlotWindowHours * HOUR_MS;

/** Refuses a plan longer than `maxSlotWindowHours` (`PIFU_USAGE_INVALID`); returns the hours otherwise. */
export function checkPlanHours(hours: number): number {
  if (!Number.isInteger(hours) || hours < 1 || hours > maxSlotWindowHours) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      `a plan covers 1 to ${maxSlotWindowHours} hours (31 days), not ${hours}; ask for fewer hours, or start later with --from`,
    );
  }
  return hours;
}

/**
 * The instants after `from`, up to and including `to`, at which `expression` fires in `timeZone`, in
 * order, each once. Contiguous windows partition the slots: slotsBetween(a, b) and slotsBetween(b, c)
 * together are exactly slotsBetween(a, c), which is what lets ticks fire each slot once. Time and memory
 * grow with the window; `dueSlots` bounds it.
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
  for (let at = fromMs - 2 * DAY_MS; at < toMs + 2 * DAY_MS + 6 * HOUR_MS; at += 6 * HOUR_MS) {
    const offset = wallClock(at, timeZone) - at;
    lowestOffset = Math.min(lowestOffset, offset);
    highestOffset = Math.max(highestOffset, offset);
  }
  const wallLow = fromMs + lowestOffset - HOUR_MS;
  const wallHigh = toMs + highestOffset + HOUR_MS;
  const found = new Set<number>();
  for (let dayStart = Math.floor(wallLow / DAY_MS) * DAY_MS; dayStart <= wallHigh; dayStart += DAY_MS) {
    const date = new Date(dayStart);
    if (!matchesDay(fields, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())) continue;
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        const wallMs = dayStart + hour * HOUR_MS + minute * MINUTE_MS;
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

/** One recipient's `schedule.full` or `schedule.delta`. */
export interface RecipientSchedule {
  readonly recipientId: string;
  readonly kind: FeedType;
  readonly expression: string;
}

export interface Slot {
  readonly recipientId: string;
  readonly kind: FeedType;
  /** The slot's instant (UTC). */
  readonly at: Date;
  readonly expression: string;
  /** The run of every recipient due at this instant (see scheduledRunId). */
  readonly runId: string;
}

/**
 * `run-<slot UTC>-sched`: one run for every recipient due at the instant, so they share one snapshot of
 * the source (docs/requirements.md#d7); deterministic, so every scheduler derives the same id. The
 * timestamp first, so feed file names (`<recipient>_<run suffix>_<type>.xml`) still sort by time among a
 * recipient's scheduled and operator runs alike.
 */
export function scheduledRunId(at: Date): string {
  return `run-${compactTimestamp(at)}-sched`;
}

/** What one scheduler slot fires: one run, with each due recipient's feed type. */
export interface SlotRun {
  readonly runId: string;
  readonly at: Date;
  /** In recipient order; one per recipient. */
  readonly slots: readonly Slot[];
}

/** `dueSlots` grouped into the runs they fire, in time order. */
export function slotRuns(slots: readonly Slot[]): SlotRun[] {
  const runs = new Map<string, Slot[]>();
  for (const slot of slots) runs.set(slot.runId, [...(runs.get(slot.runId) ?? []), slot]);
  return [...runs].map(([runId, due]) => ({ runId, at: due[0]!.at, slots: due }));
}

/**
 * Every slot of the schedules after `from`, up to and including `to`; a full displaces a delta of the
 * same recipient and instant. A window longer than `maxSlotWindowHours` is refused (`PIFU_USAGE_INVALID`).
 */
export function dueSlots(
  schedules: readonly RecipientSchedule[],
  from: Date,
  to: Date,
  timeZone = schedulerTimeZone,
): Slot[] {
  const windowMs = to.getTime() - from.getTime();
  if (!(windowMs <= maxSlotWindowMs)) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      Number.isNaN(windowMs)
        ? 'a slot window needs a valid start and end time'
        : `a slot window covers at most ${maxSlotWindowHours} hours (31 days), not ${Math.ceil(windowMs / HOUR_MS)}; ask for a shorter window`,
    );
  }
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
        runId: scheduledRunId(at),
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
