import { sql, type Kysely } from 'kysely';

/**
 * An update that moves a row to another key (a membership to another person, an identifier to another
 * person) changed the object of the key it left as much as the one it joined, but 0003's trigger logged
 * only the new key: a reader of the log re-reading the changed keys alone would keep the old owner's
 * stale row. The trigger now logs the old key too, as an update of its own, when it differs.
 */
// Kysely<any>: a migration must keep compiling whatever later migrations do to the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function records.log_change() returns trigger language plpgsql as $$
    declare
      changed jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
      previous jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) end;
      key_parts text[] := '{}';
      old_parts text[] := '{}';
      i integer;
    begin
      for i in 0 .. tg_nargs - 1 loop
        key_parts := key_parts || (changed ->> tg_argv[i]);
        old_parts := old_parts || (previous ->> tg_argv[i]);
      end loop;
      insert into records.change_log (table_name, row_key, operation)
      values (tg_table_name, array_to_string(key_parts, '/'), lower(tg_op));
      if tg_op = 'UPDATE' and old_parts is distinct from key_parts then
        insert into records.change_log (table_name, row_key, operation)
        values (tg_table_name, array_to_string(old_parts, '/'), 'update');
      end if;
      return null;
    end
    $$`.execute(db);
}
