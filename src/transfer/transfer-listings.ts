import { sql, type Kysely } from 'kysely';
import { toDate, type HubDatabase, type TransferStatus } from '../db/index.js';
import type { TransferTrigger } from './transfer-trigger.js';

/*
 * Transfers joined with their feeds, as operators list them: part of the transfer repository (the one
 * reader of `hub.transfer`), each view mapped to camelCase here.
 */

export interface TransferListing {
  readonly id: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly feedType: 'full' | 'delta';
  readonly trigger: TransferTrigger;
  readonly status: TransferStatus;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  readonly sizeBytes: number | null;
  readonly sha256Hex: string | null;
  readonly location: string | null;
  readonly error: string | null;
}

export async function listTransfers(
  db: Kysely<HubDatabase>,
  filter: { recipientId?: string; status?: TransferStatus; since?: Date; limit: number },
): Promise<TransferListing[]> {
  let query = db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select([
      't.id',
      't.run_id as runId',
      't.recipient_id as recipientId',
      'f.feed_type as feedType',
      't.trigger',
      't.status',
      't.attempts',
      't.created_at as createdAt',
      't.delivered_at as deliveredAt',
      'f.persons',
      'f.groups',
      'f.memberships',
      't.size_bytes as sizeBytes',
      't.sha256_hex as sha256Hex',
      't.location',
      't.error',
    ])
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id')
    .limit(filter.limit);
  if (filter.recipientId !== undefined) query = query.where('t.recipient_id', '=', filter.recipientId);
  if (filter.status !== undefined) query = query.where('t.status', '=', filter.status);
  if (filter.since !== undefined) query = query.where('t.created_at', '>=', filter.since);
  const rows = await query.execute();
  return rows.map((row) => ({
    ...row,
    deliveredAt: toDate(row.deliveredAt),
  }));
}

/** One transfer of a run with its feed: what `run show` prints and `retry` checks. */
export interface RunTransferDetail {
  readonly transferId: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly feedId: string;
  /** What the feed is (a requested delta may have become a full, e.g. a first delivery). */
  readonly feedType: 'full' | 'delta';
  readonly feedStatus: 'pending' | 'written' | 'empty' | 'failed';
  readonly status: TransferStatus;
  readonly attempts: number;
  readonly added: number | null;
  readonly changed: number | null;
  readonly deleted: number | null;
  readonly persons: number | null;
  readonly groups: number | null;
  readonly memberships: number | null;
  readonly sizeBytes: number | null;
  readonly sha256Hex: string | null;
  readonly filePath: string | null;
  /** How long writing the feed took. */
  readonly writeMs: number | null;
  readonly writtenAt: Date | null;
  readonly location: string | null;
  readonly deliveredAt: Date | null;
  readonly error: string | null;
}

function transferDetails(db: Kysely<HubDatabase>) {
  return db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select([
      't.id as transferId',
      't.run_id as runId',
      't.recipient_id as recipientId',
      'f.id as feedId',
      'f.feed_type as feedType',
      'f.status as feedStatus',
      't.status',
      't.attempts',
      'f.added',
      'f.changed',
      'f.deleted',
      'f.persons',
      'f.groups',
      'f.memberships',
      'f.size_bytes as sizeBytes',
      'f.sha256_hex as sha256Hex',
      'f.file_path as filePath',
      'f.write_ms as writeMs',
      'f.written_at as writtenAt',
      't.location',
      't.delivered_at as deliveredAt',
      sql<string | null>`coalesce(t.error, f.error)`.as('error'),
    ]);
}

function toDetail(
  row: Awaited<ReturnType<ReturnType<typeof transferDetails>['executeTakeFirstOrThrow']>>,
): RunTransferDetail {
  return {
    ...row,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    writtenAt: toDate(row.writtenAt),
    deliveredAt: toDate(row.deliveredAt),
  };
}

export async function listRunTransferDetails(
  db: Kysely<HubDatabase>,
  runId: string,
): Promise<RunTransferDetail[]> {
  const rows = await transferDetails(db).where('t.run_id', '=', runId).orderBy('t.recipient_id').execute();
  return rows.map(toDetail);
}

export async function findTransferDetail(
  db: Kysely<HubDatabase>,
  transferId: string,
): Promise<RunTransferDetail | undefined> {
  const row = await transferDetails(db).where('t.id', '=', transferId).executeTakeFirst();
  return row === undefined ? undefined : toDetail(row);
}

/** The recipient's latest delivery after `after`, if any: a feed written before it is out of date. */
export async function findDeliveryAfter(
  db: Kysely<HubDatabase>,
  recipientId: string,
  after: Date,
): Promise<{ transferId: string; deliveredAt: Date } | undefined> {
  const row = await db
    .selectFrom('hub.transfer')
    .select(['id', 'delivered_at'])
    .where('recipient_id', '=', recipientId)
    .where('status', '=', 'delivered')
    .where('delivered_at', '>', after)
    .orderBy('delivered_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined || row.delivered_at === null
    ? undefined
    : { transferId: row.id, deliveredAt: new Date(row.delivered_at) };
}
