import { sql, type Kysely } from 'kysely';
import type { CopyRows, HubDatabase } from '../db/index.js';
import { compareKeys } from '../model/index.js';
import { objectTypeCode, type GroupDetail, type HeldObject, type ObjectType } from './held-object.js';
import type { StateManifest } from './state-manifest.js';
import { formatViewBasis, parseViewBasis, type ViewBasis } from './view-basis.js';
import { writeDeliveredObjects } from './write-delivered-objects.js';

const pageSize = 10_000;
/** Group prefixes a query (4 parameters each, well under PostgreSQL's 65,535). */
const prefixPageSize = 500;

interface HeldRow {
  object_key: string;
  hash: string;
  detail: unknown;
  input_hash: string | null;
}

/**
 * One recipient's held objects of one type, in key order, a page at a time (keyset on the primary key,
 * byte order): the held side of the delta merge, never one query per object.
 */
export async function* readHeldObjects(
  db: Kysely<HubDatabase>,
  recipientId: string,
  type: ObjectType,
): AsyncGenerator<HeldObject> {
  let after: string | undefined;
  for (;;) {
    const rows = await db
      .selectFrom('hub.delivered_object')
      .select(['object_key', 'hash', 'detail', 'input_hash'])
      .where('recipient_id', '=', recipientId)
      .where('object_type', '=', objectTypeCode[type])
      .$if(after !== undefined, (qb) => qb.where('object_key', '>', after ?? ''))
      .orderBy('object_key')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield heldObjectOf(type, row);
    if (rows.length < pageSize) return;
    after = rows.at(-1)?.object_key;
  }
}

function heldObjectOf(type: ObjectType, row: HeldRow): HeldObject {
  return {
    type,
    key: row.object_key,
    hash: row.hash,
    ...(row.detail === null || row.detail === undefined ? {} : { detail: row.detail as GroupDetail }),
    ...(row.input_hash === null ? {} : { inputHash: row.input_hash }),
  };
}

/**
 * Of one recipient's held objects of one type, those under `keys` and those whose key starts with one
 * of `prefixes` then U+0001 (a group's memberships), in key order: the held side of an incremental
 * delta, which merges only the objects that may have changed (src/feed/incremental-delta.ts).
 */
export async function readHeldObjectsAmong(
  db: Kysely<HubDatabase>,
  recipientId: string,
  type: ObjectType,
  among: { keys: Iterable<string>; prefixes?: Iterable<string> },
): Promise<HeldObject[]> {
  const found = new Map<string, HeldObject>();
  const select = () =>
    db
      .selectFrom('hub.delivered_object')
      .select(['object_key', 'hash', 'detail', 'input_hash'])
      .where('recipient_id', '=', recipientId)
      .where('object_type', '=', objectTypeCode[type]);
  const keys = [...among.keys];
  // One array parameter a page, not an `in` list of as many parameters: PostgreSQL plans a list of
  // 10,000 parameters for 50–100 ms at every bind (seen at Oslo scale, per recipient of a delta).
  for (let at = 0; at < keys.length; at += pageSize) {
    const rows = await select()
      .where(sql<boolean>`object_key = any(${keys.slice(at, at + pageSize)}::text[])`)
      .execute();
    for (const row of rows) found.set(row.object_key, heldObjectOf(type, row));
  }
  // The prefixes' ranges of the primary key as one query a page, each range a branch of its own (so
  // each is an index range scan, as it was when each was a query): one round trip per changed group
  // and recipient was as many round trips as a night has new, removed and retyped groups, per recipient.
  const prefixes = [...(among.prefixes ?? [])];
  for (let at = 0; at < prefixes.length; at += prefixPageSize) {
    const ranges = prefixes.slice(at, at + prefixPageSize).map(
      (prefix) =>
        sql<HeldRow>`(select object_key, hash, detail, input_hash from hub.delivered_object
            where recipient_id = ${recipientId} and object_type = ${objectTypeCode[type]}
            and object_key >= ${`${prefix}\u0001`} and object_key < ${`${prefix}\u0002`})`,
    );
    const { rows } = await sql<HeldRow>`${sql.join(ranges, sql` union all `)}`.execute(db);
    for (const row of rows) found.set(row.object_key, heldObjectOf(type, row));
  }
  return [...found.values()].sort((a, b) => compareKeys(a.key, b.key));
}

export interface RecipientState {
  readonly transferId: string;
  readonly snapshotAt: Date | null;
  /** The source's marker of that snapshot (RosterProperties.sourceMarker); null without one. */
  readonly sourceMarker: string | null;
  /** The scope date the held objects were computed for; null before the hub stored it. */
  readonly scopeDate: string | null;
  /** When an empty delta last confirmed the state (null: only the delivered feed's time says). */
  readonly checkedAt: Date | null;
  readonly profileHash: string;
  readonly objects: number;
  readonly updatedAt: Date;
  /** What the held objects are exactly the view of; undefined when unknown. */
  readonly viewBasis: ViewBasis | undefined;
}

export async function findRecipientState(
  db: Kysely<HubDatabase>,
  recipientId: string,
): Promise<RecipientState | undefined> {
  const row = await db
    .selectFrom('hub.recipient_state')
    .selectAll()
    .where('recipient_id', '=', recipientId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        transferId: row.transfer_id,
        snapshotAt: row.snapshot_at === null ? null : new Date(row.snapshot_at),
        sourceMarker: row.source_marker,
        scopeDate: row.scope_date,
        checkedAt: row.checked_at === null ? null : new Date(row.checked_at),
        profileHash: row.profile_hash,
        objects: row.objects,
        updatedAt: new Date(row.updated_at),
        viewBasis: parseViewBasis(row.view_basis),
      };
}

/** The runs some recipient's delivered state is the view of (ViewBasis.runId). */
export async function viewBasisRuns(db: Kysely<HubDatabase>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('hub.recipient_state')
    .select('view_basis')
    .where('view_basis', 'is not', null)
    .execute();
  const runs = new Set<string>();
  for (const row of rows) {
    const basis = parseViewBasis(row.view_basis);
    if (basis !== undefined) runs.add(basis.runId);
  }
  return runs;
}

/**
 * Locks the recipient's delivered state until the transaction ends and returns its transfer id (null:
 * the recipient holds nothing). Two acknowledgements for one recipient serialise here, on PostgreSQL and
 * PGlite alike: a row that exists is locked with FOR UPDATE; when there is none, a placeholder row is
 * inserted (the acknowledgement's own applyStateManifest overwrites it), so a second first delivery
 * waits on the same key and then finds the first one's state.
 */
export async function lockRecipientState(
  db: Kysely<HubDatabase>,
  recipientId: string,
  placeholder: { transferId: string; at: Date },
): Promise<string | null> {
  const locked = async (): Promise<string | undefined> =>
    (
      await db
        .selectFrom('hub.recipient_state')
        .select('transfer_id')
        .where('recipient_id', '=', recipientId)
        .forUpdate()
        .executeTakeFirst()
    )?.transfer_id;
  const current = await locked();
  if (current !== undefined) return current;
  const inserted = await db
    .insertInto('hub.recipient_state')
    .values({
      recipient_id: recipientId,
      transfer_id: placeholder.transferId,
      snapshot_at: null,
      profile_hash: '',
      objects: 0,
      updated_at: placeholder.at,
    })
    .onConflict((oc) => oc.column('recipient_id').doNothing())
    .returning('recipient_id')
    .executeTakeFirst();
  // Not inserted: another acknowledgement created the row meanwhile and committed; it is current now.
  return inserted === undefined ? ((await locked()) ?? null) : null;
}

/**
 * Applies a feed's state manifest: the only way delivered state changes, and only from inside the
 * acknowledgement transaction (docs/requirements.md#d2). Returns the number of objects the recipient
 * holds afterwards. A recipient that holds nothing (its first delivery, a replace) gets plain inserts,
 * by COPY when the transaction has one (`copy`, see copyTransaction): no key can conflict, and the
 * objects it holds are the rows inserted. Otherwise chunks of upserts and deletes go through `unnest`,
 * so an Oslo-sized delta is a few hundred statements, and the objects are counted afterwards.
 */
export async function applyStateManifest(
  db: Kysely<HubDatabase>,
  state: {
    recipientId: string;
    transferId: string;
    snapshotAt: Date | null;
    sourceMarker: string | null;
    scopeDate: string | null;
    profileHash: string;
    at: Date;
  },
  manifest: StateManifest,
  copy?: CopyRows,
): Promise<number> {
  if (manifest.mode === 'replace') {
    await db.deleteFrom('hub.delivered_object').where('recipient_id', '=', state.recipientId).execute();
  }
  const objects = await writeDeliveredObjects(db, state, manifest, copy);
  const viewBasis = formatViewBasis(manifest.view);
  await db
    .insertInto('hub.recipient_state')
    .values({
      recipient_id: state.recipientId,
      transfer_id: state.transferId,
      snapshot_at: state.snapshotAt,
      source_marker: state.sourceMarker,
      scope_date: state.scopeDate,
      checked_at: null,
      profile_hash: state.profileHash,
      objects,
      updated_at: state.at,
      view_basis: viewBasis,
    })
    .onConflict((oc) =>
      oc.column('recipient_id').doUpdateSet({
        transfer_id: state.transferId,
        snapshot_at: state.snapshotAt,
        source_marker: state.sourceMarker,
        scope_date: state.scopeDate,
        checked_at: null,
        profile_hash: state.profileHash,
        objects,
        updated_at: state.at,
        view_basis: viewBasis,
      }),
    )
    .execute();
  return objects;
}

/**
 * An empty delta found the recipient's held objects exactly equal to its view of a snapshot on a scope
 * date under a profile: the state is stamped with those, so the next delta with the same ones is a quiet
 * skip. Only while the state is still the one the delta was computed against (`basedOn`).
 */
export async function confirmRecipientState(
  db: Kysely<HubDatabase>,
  recipientId: string,
  confirmed: {
    basedOn: string;
    snapshotAt: Date;
    sourceMarker: string | null;
    scopeDate: string;
    profileHash: string;
    checkedAt: Date;
    viewBasis: ViewBasis;
  },
): Promise<void> {
  await db
    .updateTable('hub.recipient_state')
    .set({
      snapshot_at: confirmed.snapshotAt,
      source_marker: confirmed.sourceMarker,
      scope_date: confirmed.scopeDate,
      profile_hash: confirmed.profileHash,
      checked_at: confirmed.checkedAt,
      view_basis: formatViewBasis(confirmed.viewBasis),
    })
    .where('recipient_id', '=', recipientId)
    .where('transfer_id', '=', confirmed.basedOn)
    .execute();
}
