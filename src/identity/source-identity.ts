import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { hubSecret } from '../audit/hub-secret.js';
import type { HubDatabase } from '../db/index.js';

export type SourceIdentityKind = 'person' | 'group';

export interface SourceIdentityRow {
  readonly kind: SourceIdentityKind;
  /**
   * The exporting system whose id it is: the `properties/datasource` of the file that named it. PIFU
   * identifies an object by its sourcedid's source and id, so the same id from two systems is two objects.
   */
  readonly datasource: string;
  readonly sourceIdHash: string;
  readonly hubKey: string;
}

/**
 * The hub's keys for ids read from a file (migrations 0011, 0019): a source id is kept only as a keyed
 * hash, so the table names no national number even where an exporting system uses one as its id, under
 * the system it came from (its datasource). The hash is of kind and id alone, the datasource a column
 * beside it: the rows recorded before datasources were kept hold the same hashes, and matched their
 * system's ids again once the migration tagged them with it.
 */
export interface SourceIdentities {
  hash(kind: SourceIdentityKind, sourceId: string): string;
  /**
   * Every known mapping of `kind`, of every system, in pages of `pageSize` rows in (datasource, hash)
   * order (keyset pages): a reader keeps them as it needs, never the whole table as rows at once (Oslo:
   * about 300,000 persons).
   */
  pages(kind: SourceIdentityKind, pageSize?: number): AsyncGenerator<SourceIdentityRow[]>;
  /**
   * Records new mappings, 5,000 rows a statement, taken from `rows` as they go; an id its system
   * mapped already keeps its key. Returns how many were mapped already, or whose new key another
   * system's mapping of the same kind holds (by an import that committed after these were read: two
   * systems' files naming one uuid as person id, or one group id, read at once, would each take it as key).
   */
  record(db: Kysely<HubDatabase>, rows: Iterable<SourceIdentityRow>): Promise<number>;
}

export async function sourceIdentities(db: Kysely<HubDatabase>): Promise<SourceIdentities> {
  const secret = await hubSecret(db, 'source-identity');
  return {
    hash: (kind, sourceId) =>
      // The first 18 bytes are the first 24 characters of the whole digest in base64url, as a string
      // of its own (a slice of the whole would keep all of it, once for each of ~300,000 ids).
      createHmac('sha256', secret)
        .update(`${kind}\u0000${sourceId}`)
        .digest()
        .subarray(0, 18)
        .toString('base64url'),
    async *pages(kind, pageSize = 10_000) {
      let after: { readonly datasource: string; readonly sourceIdHash: string } | undefined;
      for (;;) {
        let query = db
          .selectFrom('hub.source_identity')
          .select(['datasource', 'source_id_hash', 'hub_key'])
          .where('kind', '=', kind);
        if (after !== undefined) {
          // A row comparison, which the primary key (kind, datasource, source_id_hash) serves.
          query = query.where(
            sql<boolean>`(datasource, source_id_hash) > (${after.datasource}, ${after.sourceIdHash})`,
          );
        }
        const rows = await query.orderBy('datasource').orderBy('source_id_hash').limit(pageSize).execute();
        if (rows.length === 0) return;
        yield rows.map((row) => ({
          kind,
          datasource: row.datasource,
          sourceIdHash: row.source_id_hash,
          hubKey: row.hub_key,
        }));
        if (rows.length < pageSize) return;
        const last = rows[rows.length - 1]!;
        after = { datasource: last.datasource, sourceIdHash: last.source_id_hash };
      }
    },
    async record(trx, rows) {
      let taken = 0;
      for (const batch of batches(rows, 5000)) {
        const recorded = await trx
          .insertInto('hub.source_identity')
          .values(
            batch.map((row) => ({
              kind: row.kind,
              datasource: row.datasource,
              source_id_hash: row.sourceIdHash,
              hub_key: row.hubKey,
            })),
          )
          .onConflict((oc) => oc.columns(['kind', 'datasource', 'source_id_hash']).doNothing())
          .returning('source_id_hash')
          .execute();
        taken += batch.length - recorded.length;
        taken += await keysElsewhere(trx, batch);
      }
      return taken;
    },
  };
}

/**
 * How many of the keys `rows` give are held by another system's mappings of the same kind: a hub key is
 * one person's, or one group's. Served by the index on hub_key (migration 0019).
 */
async function keysElsewhere(trx: Kysely<HubDatabase>, rows: readonly SourceIdentityRow[]): Promise<number> {
  const bySystem = new Map<string, { kind: SourceIdentityKind; datasource: string; keys: Set<string> }>();
  for (const row of rows) {
    const name = `${row.kind}\u0000${row.datasource}`;
    const system = bySystem.get(name) ?? { kind: row.kind, datasource: row.datasource, keys: new Set() };
    bySystem.set(name, system);
    system.keys.add(row.hubKey);
  }
  let elsewhere = 0;
  for (const { kind, datasource, keys } of bySystem.values()) {
    const found = await trx
      .selectFrom('hub.source_identity')
      .select((eb) => eb.fn.count<string>('hub_key').distinct().as('n'))
      .where('kind', '=', kind)
      .where('hub_key', 'in', [...keys])
      .where('datasource', '<>', datasource)
      .executeTakeFirstOrThrow();
    elsewhere += Number(found.n);
  }
  return elsewhere;
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length < size) continue;
    yield batch;
    batch = [];
  }
  if (batch.length > 0) yield batch;
}
