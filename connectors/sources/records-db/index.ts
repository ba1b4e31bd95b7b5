export { createRecordsDbSource, type RecordsDbDriver } from './records-db-source.js';
export { migrateRecordsStore } from './migrate-records-store.js';
export type { SourceDatabase } from './source-database.js';
