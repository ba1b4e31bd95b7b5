import { sql, type Kysely } from 'kysely';
import { listPersonDisclosures } from '../src/disclosure/index.js';
import type { HubContext } from '../src/run/index.js';

/** On-disk size of the disclosure register: every `hub.disclosure*` table with its indexes and TOAST. */
export async function registerBytes(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ bytes: number }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'hub' and c.relkind = 'r' and c.relname like 'disclosure%'`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}

/** One table of the register: its exact row count, and its bytes apart from its indexes' (each by name). */
export interface RegisterTable {
  readonly table: string;
  readonly rows: number;
  readonly table_bytes: number;
  readonly index_bytes: Record<string, number>;
}

/**
 * Each `hub.disclosure*` table's exact rows and bytes: whether a bigger register holds more rows (the
 * same person disclosed twice) or the same rows in more pages (heap or index), and in which index.
 */
export async function registerTables(db: Kysely<unknown>): Promise<RegisterTable[]> {
  const { rows: relations } = await sql<{ table: string; table_bytes: string }>`
    select c.relname as table, pg_table_size(c.oid) as table_bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'hub' and c.relkind = 'r' and c.relname like 'disclosure%' order by c.relname`.execute(
    db,
  );
  const tables: RegisterTable[] = [];
  for (const { table, table_bytes } of relations) {
    const { rows: count } = await sql<{
      n: string;
    }>`select count(*) as n from ${sql.table(`hub.${table}`)}`.execute(db);
    const { rows: indexes } = await sql<{ name: string; bytes: string }>`
      select i.relname as name, pg_relation_size(i.oid) as bytes
      from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = ${`hub.${table}`}::regclass order by i.relname`.execute(db);
    tables.push({
      table,
      rows: Number(count[0]?.n ?? 0),
      table_bytes: Number(table_bytes),
      index_bytes: Object.fromEntries(indexes.map(({ name, bytes }) => [name, Number(bytes)])),
    });
  }
  return tables;
}

/**
 * `disclosures --person` for five persons from a random point of the spans (every person a full carried
 * has one), so the figure is not one warm person's: the slowest, in ms, unrounded. `rows`: the register's
 * person entries, a delta's rows and the spans fulls opened.
 */
export async function disclosureLookup(ctx: HubContext): Promise<{ rows: number; slowestMs: number }> {
  const { rows } = await sql<{ rows: string }>`select
    (select count(*) from hub.disclosure) + (select count(*) from hub.disclosure_span) as rows`.execute(
    ctx.db,
  );
  const persons = await sql<{ person_key: string }>`
    select distinct person_key from hub.disclosure_span
    where person_key >= md5(random()::text) order by person_key limit 5`.execute(ctx.db);
  let slowestMs = 0;
  for (const { person_key: personKey } of persons.rows) {
    const started = performance.now();
    await listPersonDisclosures(ctx.db, personKey);
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
  return { rows: Number(rows[0]?.rows ?? 0), slowestMs };
}
