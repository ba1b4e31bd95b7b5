export {
  isCompleteRosterSpool,
  openRosterSpool,
  releaseRosterSpool,
  removeRosterSpool,
  writeRosterSpool,
} from './roster-spool.js';
export type { RosterSpoolCounts, SchoolCounts } from './snapshot-counter.js';
export { writeIncrementalRosterSpool, type SpoolBase } from './incremental-spool.js';
export { sortExternally } from './external-sort.js';
export { diffRosterSpools, type SpoolDiff } from './spool-diff.js';
export { KeptPerFile } from './kept-per-file.js';
export { spoolFiles } from './spool-writing.js';
