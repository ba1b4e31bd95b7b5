import cron from 'node-cron';
import { HubError } from '../errors/index.js';

/** A cron expression as the slot computation reads it: node-cron's parse, with minute resolution. */
export interface CronFields {
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
 * recipient config validation and the scheduler accept exactly the same expressions: this function is
 * the one both call. Day of month and day of week must both match, as node-cron reads them (not Vixie
 * cron's either-or). Five fields only: slots have minute resolution, so a sixth (seconds) field is
 * refused even when it is `0`, rather than silently read as something the scheduler does not do.
 * Throws `PIFU_CONFIG_INVALID` naming the expression.
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
  if (expression.trim().split(/\s+/).length !== 5) {
    throw new HubError(
      'PIFU_CONFIG_INVALID',
      `schedule "${expression}" has a seconds field; schedules have minute resolution: use five fields (minute hour day-of-month month day-of-week)`,
    );
  }
  const parsed = cron.parse(expression);
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

/** The refusal `parseSchedule` would throw, as text without its code; undefined when it reads it. */
export function scheduleProblem(expression: string): string | undefined {
  try {
    parseSchedule(expression);
    return undefined;
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return error.message.replace(/^PIFU_[A-Z_]+: /, '');
  }
}
