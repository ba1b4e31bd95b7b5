import type { ColumnType, Generated } from 'kysely';

/*
 * The hub's tables for PIFU files as a source (docs/cli.md#pifu-hub-import): the hub's keys for a
 * file's ids, the exports `source pull` took, and the roster each system's last import left. Part of
 * HubDatabase (database.ts).
 */

/** The hub's key for a source id (a keyed hash, never the id) of an object read from a PIFU file. */
export interface SourceIdentityTable {
  kind: 'person' | 'group';
  /** The `properties/datasource` of the file that made the mapping: ids are its system's (migration 0019). */
  datasource: string;
  source_id_hash: string;
  hub_key: string;
  created_at: Generated<Date>;
}

/** One version of a remote file `source pull` claimed, and how its import ended (no content, no personal data). */
export interface SourcePullTable {
  /** `sftp://host:port/dir/name size mtime`: the file version. */
  remote: string;
  file_name: string;
  size_bytes: ColumnType<string, number | string, never>;
  modified_at: ColumnType<Date, Date | string, never>;
  claimed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, never, Date | string>;
  outcome: 'imported' | 'refused' | null;
  run_id: string | null;
}

/** Per exporting system, the roster its last committed import left: what a delta export applies to. */
export interface ImportBaseTable {
  /** The file's `properties/datasource` (a system id, `system@unit`). */
  datasource: string;
  /** The directory under the spool's `import-bases/` that holds the roster. */
  base_id: string;
  run_id: string;
  feed_type: 'full' | 'delta';
  /** The file's `properties/datetime`. */
  exported_at: ColumnType<Date, Date | string, Date | string>;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /**
   * The system's roster holds groups keyed by their own id that hub.source_identity does not map
   * (imported before migration 0020): cleared by its next full import, which maps every group.
   */
  unmapped_group_ids: ColumnType<boolean, boolean | undefined, boolean>;
}
