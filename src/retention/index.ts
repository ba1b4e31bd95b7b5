export { applyRetention, describeRetention, type RetentionSummary } from './apply-retention.js';
export { findRetentionDue, type RetentionDue } from './retention-plan.js';
export { defaultRetentionPolicy, type RetentionPolicy } from './retention-policy.js';
export { runDailyRetention } from './daily-sweep.js';
