export type { HubContext } from './hub-context.js';
export { newRunId, runIds, compactTimestamp } from './run-ids.js';
export { runSpoolPaths } from './run-paths.js';
export {
  findDeliveryAfter,
  findRun,
  findTransferDetail,
  listRunTransferDetails,
  listRuns,
  type RunListing,
  type RunTransferDetail,
} from './run-repository.js';
export { startRun, type RunRequest } from './start-run.js';
export { takeSnapshot } from './take-snapshot.js';
export { describeSourceDrops, findSourceDrops } from './source-guard.js';
export { finishRun, type RunOutcome } from './finish-run.js';
export { cancelRun } from './cancel-run.js';
export { closeAbandonedRun } from './close-abandoned-run.js';
export { currentProcess, processState, type ProcessIdentity } from './process-identity.js';
export { recoverRuns, type QueuedRunState, type RecoveryReport, type RunQueue } from './recover-runs.js';
export { checkLocalOwner, type RunOwner } from './run-owner.js';
export { scopeDateOf, type ScopeClock } from './scope-date.js';
