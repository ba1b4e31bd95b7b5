export {
  isCompleteRosterSpool,
  openRosterSpool,
  removeRosterSpool,
  writeRosterSpool,
  type RosterSpoolCounts,
} from './roster-spool.js';
