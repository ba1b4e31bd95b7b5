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

/** `disclosures --person` for five persons from a random point of the index (so the figure is not one
 * warm person's): the slowest, in ms, unrounded. */
export async function disclosureLookup(ctx: HubContext): Promise<{ rows: number; slowestMs: number }> {
  const { rows } = await sql<{ rows: string }>`select count(*) as rows from hub.disclosure`.execute(ctx.db);
  const persons = await sql<{ person_key: string }>`
    select distinct person_key from hub.disclosure
    where person_key >= md5(random()::text) order by person_key limit 5`.execute(ctx.db);
  let slowestMs = 0;
  for (const { person_key: personKey } of persons.rows) {
    const started = performance.now();
    await listPersonDisclosures(ctx.db, personKey);
    slowestMs = Math.max(slowestMs, performance.now() - started);
  }
  return { rows: Number(rows[0]?.rows ?? 0), slowestMs };
}
