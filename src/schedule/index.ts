export { parseSchedule, scheduleProblem, type CronFields } from './parse-schedule.js';
export { formatLocalSlot, osloDate, schedulerTimeZone, utcOffset, wallClock } from './oslo-time.js';
export {
  checkPlanHours,
  dueSlots,
  maxSlotWindowHours,
  maxSlotWindowMs,
  scheduledRunId,
  slotsBetween,
  type RecipientSchedule,
  type Slot,
} from './slots.js';
export { recipientSchedules, type IgnoredSchedule, type ScheduledRecipient } from './recipient-schedules.js';
