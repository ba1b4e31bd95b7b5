export {
  openDatabase,
  poolOf,
  redactUrl,
  type DatabaseLocation,
  type OpenDatabase,
} from './open-database.js';
export { copyTransaction, type CopyRows } from './copy-transaction.js';
export {
  copyField,
  copyLineBatches,
  copyRow,
  copyTextBlocks,
  newline,
  parseCopyLine,
  wholeRowChunks,
  type CopyField,
} from './copy-text.js';
export { migrateHub, runMigrations } from './migrate-hub.js';
export type * from './database.js';
export type * from './import-tables.js';
export { transferStatuses } from './database.js';
export { toDate } from './timestamps.js';
