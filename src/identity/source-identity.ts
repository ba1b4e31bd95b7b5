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
  /** Every known source id hash of `kind` and its hub key; one entry per id (Oslo: about 300,000 persons). */
  load(kind: SourceIdentityKind): Promise<Map<string, string>>;
  /** Records new mappings; an id mapped already keeps its key. */
  record(db: Kysely<HubDatabase>, rows: readonly SourceIdentityRow[]): Promise<void>;
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
    async load(kind) {
      const rows = await db
        .selectFrom('hub.source_identity')
        .select(['source_id_hash', 'hub_key'])
        .where('kind', '=', kind)
        .execute();
      return new Map(rows.map((row) => [row.source_id_hash, row.hub_key]));
    },
    async record(trx, rows) {
      for (let start = 0; start < rows.length; start += 5000) {
        const batch = rows.slice(start, start + 5000);
        await trx
          .insertInto('hub.source_identity')
          .values(
            batch.map((row) => ({ kind: row.kind, source_id_hash: row.sourceIdHash, hub_key: row.hubKey })),
          )
          .onConflict((oc) => oc.columns(['kind', 'source_id_hash']).doNothing())
          .execute();
      }
    },
  };
}
