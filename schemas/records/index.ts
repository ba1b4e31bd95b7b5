import type { Migration } from 'kysely';
import * as initial from './0001-initial.js';
import * as specialCategories from './0002-special-categories.js';
import * as changeLog from './0003-change-log.js';
import * as scopeFlags from './0004-scope-flags.js';
import * as changeLogOldKeys from './0005-change-log-old-keys.js';

/** Forward-only migrations of the reference records store, in the PostgreSQL schema `records`. */
export const recordsMigrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-special-categories': specialCategories,
  '0003-change-log': changeLog,
  '0004-scope-flags': scopeFlags,
  '0005-change-log-old-keys': changeLogOldKeys,
};

export { changeLoggedTables, changeLogTriggerName } from './0003-change-log.js';
