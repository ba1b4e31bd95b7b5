export {
  isCompleteRosterSpool,
  openRosterSpool,
  removeRosterSpool,
  writeRosterSpool,
} from './roster-spool.js';
export type { RosterSpoolCounts, SchoolCounts } from './snapshot-counter.js';
export { sortExternally } from './external-sort.js';
