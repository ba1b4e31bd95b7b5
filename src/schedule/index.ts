export { parseSchedule } from './parse-schedule.js';
export { formatLocalSlot, osloDate, schedulerTimeZone, utcOffset, wallClock } from './oslo-time.js';
export {
  checkPlanHours,
  dueSlots,
  maxSlotWindowHours,
  maxSlotWindowMs,
  scheduledRunId,
  slotRuns,
  slotsBetween,
  type RecipientSchedule,
  type Slot,
  type SlotRun,
} from './slots.js';
export { recipientSchedules, type IgnoredSchedule } from './recipient-schedules.js';
