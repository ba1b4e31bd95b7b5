import type { CronFields } from './parse-schedule.js';

/** Which calendar days a schedule fires on: node-cron's day fields, read as Quartz reads `L`, `W`, `#`. */

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

/** Month, day of month and day of week must all match (node-cron's reading, not Vixie cron's either-or). */
export function matchesDay(fields: CronFields, year: number, month: number, day: number): boolean {
  return (
    fields.months.has(month) &&
    fields.daysOfMonth.some((token) => matchesDayOfMonth(token, year, month, day)) &&
    fields.daysOfWeek.some((token) => matchesDayOfWeek(token, year, month, day))
  );
}
