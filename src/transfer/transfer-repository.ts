import type { Kysely } from 'kysely';
import type { HubDatabase, TransferRow, TransferStatus } from '../db/index.js';
import type { TransferTrigger } from './transfer-trigger.js';

export async function insertTransfer(
  db: Kysely<HubDatabase>,
  transfer: {
    id: string;
    feedId: string;
    runId: string;
    recipientId: string;
    transportKind: string;
    trigger: TransferTrigger;
  },
): Promise<void> {
  await db
    .insertInto('hub.transfer')
    .values({
      id: transfer.id,
      feed_id: transfer.feedId,
      run_id: transfer.runId,
      recipient_id: transfer.recipientId,
      transport_kind: transfer.transportKind,
      trigger: transfer.trigger,
      status: 'pending',
    })
    .execute();
}

export async function findTransfer(
  db: Kysely<HubDatabase>,
  transferId: string,
): Promise<TransferRow | undefined> {
  return db.selectFrom('hub.transfer').selectAll().where('id', '=', transferId).executeTakeFirst();
}

export async function listRunTransfers(db: Kysely<HubDatabase>, runId: string): Promise<TransferRow[]> {
  return db
    .selectFrom('hub.transfer')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('recipient_id')
    .execute();
}

export async function recordTransferAttempt(db: Kysely<HubDatabase>, transferId: string): Promise<void> {
  await db
    .updateTable('hub.transfer')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', transferId)
    .execute();
}

/**
 * pending → failed in one statement, so that of two notices of one failure (the processor's last
 * attempt and the worker's `failed` event) exactly one changes the row. True when this call did.
 */
export async function failTransferIfPending(
  db: Kysely<HubDatabase>,
  transferId: string,
  error: string,
): Promise<boolean> {
  const result = await db
    .updateTable('hub.transfer')
    .set({ status: 'failed', error })
    .where('id', '=', transferId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * pending (or failed) → offered: a pull recipient may fetch the feed now. Not delivered: only the
 * recipient's acknowledgement makes it so.
 */
export async function recordTransferOffered(
  db: Kysely<HubDatabase>,
  transferId: string,
  offer: { location: string; at: Date },
): Promise<void> {
  await db
    .updateTable('hub.transfer')
    .set({ status: 'offered', location: offer.location, offered_at: offer.at, error: null })
    .where('id', '=', transferId)
    .where('status', 'in', ['pending', 'failed'])
    .execute();
}

/** failed → pending for an operator's retry; false when someone else changed it first. */
export async function claimFailedTransfer(db: Kysely<HubDatabase>, transferId: string): Promise<boolean> {
  const result = await db
    .updateTable('hub.transfer')
    .set({ status: 'pending', error: null })
    .where('id', '=', transferId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** After the last attempt: the transfer says why, and delivered state and disclosures stay untouched. */
export async function recordTransferFailed(
  db: Kysely<HubDatabase>,
  transferId: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('hub.transfer')
    .set({ status: 'failed', error })
    .where('id', '=', transferId)
    .where('status', '!=', 'delivered')
    .execute();
}

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
    deliveredAt: row.deliveredAt === null ? null : new Date(row.deliveredAt),
  }));
}

/** Whether any transfer to the recipient is on record (it may since have left the configuration). */
export async function hasTransfers(db: Kysely<HubDatabase>, recipientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('hub.transfer')
    .select('id')
    .where('recipient_id', '=', recipientId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
