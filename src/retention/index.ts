export { applyRetention, describeRetention, type RetentionSummary } from './apply-retention.js';
export { findRetentionDue, type DueFeedFile, type RetentionDue, type SettledRun } from './retention-plan.js';
export { defaultRetentionPolicy, retentionBounds, type RetentionPolicy } from './retention-policy.js';
export { dueRetentionSweep, retentionSlotMinutes, runDailyRetention } from './daily-sweep.js';
