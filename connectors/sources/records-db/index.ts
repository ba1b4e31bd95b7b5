export { createRecordsDbSource } from './records-db-source.js';
export { parseRecordsDbConfig, recordsDbConfigSchema, type RecordsDbConfig } from './records-db-config.js';
export { migrateRecordsStore } from './migrate-records-store.js';
export type { SourceDatabase } from './source-database.js';
