import type { RecipientConfig } from '../config/index.js';
import {
  checkPlanHours,
  dueSlots,
  recipientSchedules,
  type IgnoredSchedule,
  type Slot,
} from '../schedule/index.js';

/**
 * The slots the scheduler would fire in the next `hours` (at most a month) from `from`, and the
 * schedules it would ignore. Reads configuration only: no database, no queue.
 */
export function planSchedules(
  ctx: { readonly recipients: ReadonlyMap<string, RecipientConfig> },
  input: { hours: number; from: Date },
): { slots: Slot[]; ignored: IgnoredSchedule[] } {
  const hours = checkPlanHours(input.hours);
  const { schedules, ignored } = recipientSchedules(ctx.recipients.values());
  const until = new Date(input.from.getTime() + hours * 3_600_000);
  return { slots: dueSlots(schedules, input.from, until), ignored };
}
