export type { HubContext } from './hub-context.js';
export { newRunId, runIds, compactTimestamp, type RunIds } from './run-ids.js';
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
export { describeSourceDrops, findSourceDrops, type CountedObject, type SourceDrop } from './source-guard.js';
export { finishRun, type RunOutcome } from './finish-run.js';
export { scopeClocks, scopeDateOf, type ScopeClock } from './scope-date.js';
