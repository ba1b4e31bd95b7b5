import { sql, type Kysely } from 'kysely';
import { HubError } from '../../../src/errors/index.js';
import { compareKeys } from '../../../src/model/index.js';
import type { ChangedKeys } from '../../../src/ports/source-connector.js';
import type { SourceDatabase } from './source-database.js';

/** A PostgreSQL snapshot as `pg_current_snapshot()` writes it: `xmin:xmax:xip,…`. */
export const snapshotText = /^\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20})*)?$/;

/**
 * Which key parts of a change-log row (row_key split at '/', in 0003-change-log's key column order) name
 * a person whose object the row can change, and which name a group whose memberships it can change.
 * A person's object is made of the person row and the rows keyed by the person (map-person.ts): both ids
 * of a guardian relation count, since the pupil's object lists the guardian and the guardian's object
 * has the guardian population from it; a membership is the member's too, since a 01 membership makes a
 * pupil. A roster_group row names its group, whose object is made of it and of the school and owner rows
 * sharing its id (read-groups.ts). school and school_owner (and a table the hub does not know) are not
 * in the list: a change there re-reads everything.
 */
const keyParts: Readonly<
  Record<string, { persons: readonly number[]; groups?: readonly number[]; group?: number }>
> = {
  roster_group: { persons: [], group: 0 },
  person: { persons: [0] },
  person_identifier: { persons: [0] },
  person_email: { persons: [0] },
  person_phone: { persons: [0] },
  person_address: { persons: [0] },
  guardian_relation: { persons: [0, 1] },
  staff_employment: { persons: [0] },
  pupil_enrolment: { persons: [0] },
  membership: { persons: [1], groups: [0] },
};

/**
 * What changed since the snapshot `marker`, as seen by `trx` (the snapshot being read, so a change it
 * does not see is not in the answer): the change-log rows the marker's snapshot did not see, that is,
 * written by a transaction still running then or begun after it. Undefined, to read everything again,
 * when the marker is not a snapshot, is not older than this one (another database's), when the log
 * no longer holds its oldest row the marker saw (the log was cut: what happened in between is not
 * known), or when a row is a bulk load (its triggers were off) or a change the key map above leaves out.
 */
export async function changedKeysSince(
  trx: Kysely<SourceDatabase>,
  marker: string,
): Promise<ChangedKeys | undefined> {
  if (!snapshotText.test(marker)) return undefined;
  try {
    const { rows: checks } = await sql<{ earlier: boolean; covered: boolean }>`
      select pg_snapshot_xmax(${marker}::pg_snapshot) <= pg_snapshot_xmax(pg_current_snapshot()) as earlier,
        coalesce((select pg_visible_in_snapshot(txid::text::xid8, ${marker}::pg_snapshot)
          from records.change_log order by id limit 1), false) as covered`.execute(trx);
    if (checks[0]?.earlier !== true || checks[0].covered !== true) return undefined;
    const { rows } = await sql<{ table_name: string; row_key: string; operation: string }>`
      select distinct table_name, row_key, operation from records.change_log
      where txid >= pg_snapshot_xmin(${marker}::pg_snapshot)::text::bigint
        and not pg_visible_in_snapshot(txid::text::xid8, ${marker}::pg_snapshot)`.execute(trx);
    const persons = new Set<string>();
    const groups = new Set<string>();
    const groupObjects = new Set<string>();
    for (const row of rows) {
      const parts = keyParts[row.table_name];
      if (parts === undefined || row.operation === 'load') return undefined;
      const key = row.row_key.split('/');
      for (const at of parts.persons) persons.add(key[at] ?? '');
      for (const at of parts.groups ?? []) groups.add(key[at] ?? '');
      if (parts.group !== undefined) groupObjects.add(key[parts.group] ?? '');
    }
    return {
      personKeys: [...persons].sort(compareKeys),
      membershipGroupKeys: [...groups].sort(compareKeys),
      groupKeys: [...groupObjects].sort(compareKeys),
    };
  } catch (error) {
    throw new HubError(
      'PIFU_SOURCE_UNAVAILABLE',
      'could not read what changed in the records store; check the database connection and retry',
      { cause: error },
    );
  }
}
