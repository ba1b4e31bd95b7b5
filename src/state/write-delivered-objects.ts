import { sql, type Kysely } from 'kysely';
import { copyField, type CopyRows, type HubDatabase } from '../db/index.js';
import type { StateManifest, StateRow } from './state-manifest.js';

/*
 * The delivered objects' rows as a state manifest changes them (applyStateManifest, in the acknowledgement
 * transaction): plain inserts into a recipient that holds nothing, upserts and deletes otherwise.
 */

const chunkSize = 20_000;

/**
 * From this much manifest text on, its rows are staged by COPY (stageAndChangeObjects): about a chunk's
 * worth. Below it, a delta's few changes go in one statement or two, without the staging table's
 * creation and two statements more.
 */
const stagedBytes = 1 << 20;

/**
 * Writes the manifest's lines into `hub.delivered_object`; returns the objects the recipient holds
 * afterwards. A recipient that holds nothing gets plain inserts, by COPY when the transaction has one;
 * one that holds objects, upserts and deletes (staged by COPY when the transaction has one and the
 * manifest is large).
 */
export async function writeDeliveredObjects(
  db: Kysely<HubDatabase>,
  state: { recipientId: string; transferId: string },
  manifest: StateManifest,
  copy: CopyRows | undefined,
): Promise<number> {
  if (!(await holdsObjects(db, state.recipientId))) return insertObjects(db, state, manifest, copy);
  if (copy !== undefined && manifest.bytes >= stagedBytes)
    await stageAndChangeObjects(db, state, manifest, copy);
  else await changeObjects(db, state, manifest);
  const counted = await db
    .selectFrom('hub.delivered_object')
    .select((eb) => eb.fn.countAll<string>().as('objects'))
    .where('recipient_id', '=', state.recipientId)
    .executeTakeFirstOrThrow();
  return Number(counted.objects);
}

async function holdsObjects(db: Kysely<HubDatabase>, recipientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('hub.delivered_object')
    .select('object_key')
    .where('recipient_id', '=', recipientId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** An upsert row's columns after recipient_id: type code, key, hash, detail (JSON), input hash. */
type UpsertRow = readonly [number, string, string, string | null, string | null];

const isUpsert = (row: StateRow): row is UpsertRow => row[2] !== null;

/**
 * Into a recipient that holds nothing: every upsert line is a new object, and a delete line names
 * nothing it holds, so there is nothing to delete (a manifest never both adds and removes one key).
 * Returns the rows inserted.
 */
async function insertObjects(
  db: Kysely<HubDatabase>,
  state: { recipientId: string; transferId: string },
  manifest: StateManifest,
  copy: CopyRows | undefined,
): Promise<number> {
  if (copy !== undefined) {
    // The manifest's rows go to the server as they are read, each behind the recipient and transfer.
    return copy.text(
      'hub.delivered_object',
      ['recipient_id', 'transfer_id', 'object_type', 'object_key', 'hash', 'detail', 'input_hash'],
      manifest.upsertText(`${copyField(state.recipientId)}\t${copyField(state.transferId)}\t`),
    );
  }
  const rows = (async function* () {
    for await (const batch of manifest.rows()) yield batch.filter(isUpsert);
  })();
  let inserted = 0;
  let chunk: UpsertRow[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const result = await insertStateRows(state, chunk, false).execute(db);
    inserted += Number(result.numAffectedRows ?? 0);
    chunk = [];
  };
  for await (const batch of rows) {
    for (const row of batch) chunk.push(row);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return inserted;
}

/** What an upsert does to a key the recipient holds already: overwrite the row with the line's. */
const overwriteHeld = sql`ON CONFLICT (recipient_id, object_type, object_key)
  DO UPDATE SET hash = excluded.hash, detail = excluded.detail, transfer_id = excluded.transfer_id,
                input_hash = excluded.input_hash`;

/** One statement inserting `rows` through `unnest`; `upsert`: a held key's row is overwritten. */
function insertStateRows(
  state: { recipientId: string; transferId: string },
  rows: readonly UpsertRow[],
  upsert: boolean,
) {
  return sql`
    INSERT INTO hub.delivered_object (recipient_id, object_type, object_key, hash, detail, transfer_id, input_hash)
    SELECT ${state.recipientId}, t, k, h, d::jsonb, ${state.transferId}, i
    FROM unnest(${rows.map((row) => row[0])}::smallint[], ${rows.map((row) => row[1])}::text[],
                ${rows.map((row) => row[2])}::text[], ${rows.map((row) => row[3])}::text[],
                ${rows.map((row) => row[4])}::text[])
         AS u(t, k, h, d, i)
    ${upsert ? overwriteHeld : sql``}`;
}

/**
 * Upserts and deletes against what the recipient holds, on PostgreSQL: the manifest's rows go by COPY,
 * as they are read, into a staging table, and two statements apply it (an Oslo full of a recipient that
 * holds objects is a million rows and more: no row is parsed or bound in the hub).
 */
async function stageAndChangeObjects(
  db: Kysely<HubDatabase>,
  state: { recipientId: string; transferId: string },
  manifest: StateManifest,
  copy: CopyRows,
): Promise<void> {
  await sql`CREATE TEMP TABLE state_row (object_type smallint, object_key text COLLATE "C", hash text,
    detail jsonb, input_hash text) ON COMMIT DROP`.execute(db);
  await copy.text(
    'pg_temp.state_row',
    ['object_type', 'object_key', 'hash', 'detail', 'input_hash'],
    manifest.text(),
  );
  await sql`INSERT INTO hub.delivered_object (recipient_id, object_type, object_key, hash, detail, transfer_id, input_hash)
    SELECT ${state.recipientId}, object_type, object_key, hash, detail, ${state.transferId}, input_hash
    FROM pg_temp.state_row WHERE hash IS NOT NULL
    ${overwriteHeld}`.execute(db);
  await sql`DELETE FROM hub.delivered_object o USING pg_temp.state_row u
    WHERE o.recipient_id = ${state.recipientId} AND u.hash IS NULL
      AND o.object_type = u.object_type AND o.object_key = u.object_key`.execute(db);
}

/** Upserts and deletes against what the recipient holds, through `unnest` (PGlite, or a small manifest). */
async function changeObjects(
  db: Kysely<HubDatabase>,
  state: { recipientId: string; transferId: string },
  manifest: StateManifest,
): Promise<void> {
  let upserts: UpsertRow[] = [];
  let deletes: StateRow[] = [];
  const flushUpserts = async (): Promise<void> => {
    if (upserts.length === 0) return;
    await insertStateRows(state, upserts, true).execute(db);
    upserts = [];
  };
  const flushDeletes = async (): Promise<void> => {
    if (deletes.length === 0) return;
    await sql`
      DELETE FROM hub.delivered_object o
      USING unnest(${deletes.map((row) => row[0])}::smallint[], ${deletes.map((row) => row[1])}::text[]) AS u(t, k)
      WHERE o.recipient_id = ${state.recipientId} AND o.object_type = u.t AND o.object_key = u.k`.execute(db);
    deletes = [];
  };
  for await (const batch of manifest.rows()) {
    for (const row of batch) {
      if (isUpsert(row)) upserts.push(row);
      else deletes.push(row);
    }
    if (upserts.length >= chunkSize) await flushUpserts();
    if (deletes.length >= chunkSize) await flushDeletes();
  }
  await flushUpserts();
  await flushDeletes();
}
