import { HubError } from '../errors/index.js';

/** Every schedule is read in Norwegian wall-clock time. */
export const schedulerTimeZone = 'Europe/Oslo';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `timeZone` at an instant, as milliseconds of the same reading in UTC. */
export function wallClock(instantMs: number, timeZone: string): number {
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
export function instantsOf(
  wallMs: number,
  timeZone: string,
):
  | { readonly exists: true; readonly at: readonly number[] }
  | { readonly exists: false; readonly at: number } {
  const before = wallClock(wallMs - DAY_MS, timeZone) - (wallMs - DAY_MS);
  const after = wallClock(wallMs + DAY_MS, timeZone) - (wallMs + DAY_MS);
  const candidates = [...new Set([wallMs - before, wallMs - after])]
    .filter((instant) => wallClock(instant, timeZone) === wallMs)
    .sort((a, b) => a - b);
  return candidates.length === 0 ? { exists: false, at: wallMs - before } : { exists: true, at: candidates };
}

/** A slot as an operator reads it: local wall-clock time with its offset, e.g. `2026-03-29T03:30+02:00`. */
export function formatLocalSlot(at: Date, timeZone = schedulerTimeZone): string {
  const offset = utcOffset(at, timeZone);
  const local = new Date(at.getTime() + offset).toISOString().slice(0, 16);
  const minutes = Math.abs(offset) / MINUTE_MS;
  const sign = offset < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const osloDay = new Intl.DateTimeFormat('en-CA', { timeZone: schedulerTimeZone });

/** The Europe/Oslo calendar day of an instant, `YYYY-MM-DD`. */
export function osloDate(at: Date): string {
  return osloDay.format(at);
}
