import { sql, type Kysely } from 'kysely';

/** Roster tables whose changes a later delta reader wants to know about, with their key columns. */
export const changeLoggedTables = {
  school_owner: ['id'],
  school: ['id'],
  roster_group: ['id'],
  person: ['id'],
  person_identifier: ['person_id'],
  person_email: ['person_id'],
  person_phone: ['person_id'],
  person_address: ['person_id'],
  guardian_relation: ['pupil_id', 'guardian_id'],
  staff_employment: ['person_id', 'school_id'],
  pupil_enrolment: ['person_id', 'school_id'],
  membership: ['group_id', 'person_id', 'roletype'],
} as const;

/** Name of the change-log trigger on every table above; the bulk loader disables it by this name. */
export const changeLogTriggerName = 'record_change';

/**
 * Change log for delta work (docs/requirements.md#d1): it says *when* and *where* (which keys) something
 * changed, never *what*, so it holds no personal values. `row_key` joins the key columns with '/'.
 */
// Kysely<any>: a migration must keep compiling whatever later migrations do to the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('records.change_log')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('table_name', 'text', (col) => col.notNull())
    .addColumn('row_key', 'text', (col) => col.notNull())
    .addColumn('operation', 'text', (col) => col.notNull())
    .addColumn('txid', 'bigint', (col) => col.notNull().defaultTo(sql`txid_current()`))
    .addColumn('changed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // 'load': one row for a bulk load, whose triggers are off (see loadMunicipality).
    .addCheckConstraint('change_log_operation_known', sql`operation in ('insert','update','delete','load')`)
    .execute();
  await db.schema.createIndex('change_log_txid_idx').on('records.change_log').column('txid').execute();

  await sql`
    create function records.log_change() returns trigger language plpgsql as $$
    declare
      changed jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
      key_parts text[] := '{}';
      i integer;
    begin
      for i in 0 .. tg_nargs - 1 loop
        key_parts := key_parts || (changed ->> tg_argv[i]);
      end loop;
      insert into records.change_log (table_name, row_key, operation)
      values (tg_table_name, array_to_string(key_parts, '/'), lower(tg_op));
      return null;
    end
    $$`.execute(db);

  for (const [table, keyColumns] of Object.entries(changeLoggedTables)) {
    const args = sql.join(keyColumns.map((column) => sql.lit(column)));
    await sql`
      create trigger ${sql.id(changeLogTriggerName)}
      after insert or update or delete on ${sql.id('records', table)}
      for each row execute function records.log_change(${args})`.execute(db);
  }
}
