import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hubSecret } from '../audit/hub-secret.js';
import type { HubDatabase } from '../db/index.js';

export type SourceIdentityKind = 'person' | 'group';

export interface SourceIdentityRow {
  readonly kind: SourceIdentityKind;
  readonly sourceIdHash: string;
  readonly hubKey: string;
}

/**
 * The hub's keys for ids read from a file (migration 0011): a source id is kept only as a keyed hash,
 * so the table names no national number even where an exporting system uses one as its id.
 */
export interface SourceIdentities {
  hash(kind: SourceIdentityKind, sourceId: string): string;
  /**
   * Every known source id hash of `kind` and its hub key, in pages of `pageSize` rows in hash order
   * (keyset pages): a reader keeps them as it needs, never the whole table as rows at once (Oslo: about
   * 300,000 persons).
   */
  pages(kind: SourceIdentityKind, pageSize?: number): AsyncGenerator<SourceIdentityRow[]>;
  /**
   * Records new mappings, 5,000 rows a statement, taken from `rows` as they go; an id mapped already
   * keeps its key. Returns how many were mapped already (by an import that committed after these were read).
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
      let after: string | undefined;
      for (;;) {
        let query = db
          .selectFrom('hub.source_identity')
          .select(['source_id_hash', 'hub_key'])
          .where('kind', '=', kind);
        if (after !== undefined) query = query.where('source_id_hash', '>', after);
        const rows = await query.orderBy('source_id_hash').limit(pageSize).execute();
        if (rows.length === 0) return;
        yield rows.map((row) => ({ kind, sourceIdHash: row.source_id_hash, hubKey: row.hub_key }));
        if (rows.length < pageSize) return;
        after = rows[rows.length - 1]!.source_id_hash;
      }
    },
    async record(trx, rows) {
      let taken = 0;
      for (const batch of batches(rows, 5000)) {
        const recorded = await trx
          .insertInto('hub.source_identity')
          .values(
            batch.map((row) => ({ kind: row.kind, source_id_hash: row.sourceIdHash, hub_key: row.hubKey })),
          )
          .onConflict((oc) => oc.columns(['kind', 'source_id_hash']).doNothing())
          .returning('source_id_hash')
          .execute();
        taken += batch.length - recorded.length;
      }
      return taken;
    },
  };
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
