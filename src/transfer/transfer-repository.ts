import { sql, type Kysely, type Selectable } from 'kysely';
import { toDate, type HubDatabase, type TransferStatus, type TransferTable } from '../db/index.js';
import type { TransferTrigger } from './transfer-trigger.js';

/** One transfer as the core sees it: one feed handed to one recipient's transport, and how that went. */
export interface Transfer {
  readonly id: string;
  readonly feedId: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly transportKind: string;
  readonly trigger: TransferTrigger;
  readonly status: TransferStatus;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly location: string | null;
  readonly sizeBytes: number | null;
  readonly sha256Hex: string | null;
  readonly error: string | null;
  /** When a pull recipient could first fetch the feed; null for push transports. */
  readonly offeredAt: Date | null;
}

/** The one place a `hub.transfer` row becomes a `Transfer`. */
function toTransfer(row: Selectable<TransferTable>): Transfer {
  return {
    id: row.id,
    feedId: row.feed_id,
    runId: row.run_id,
    recipientId: row.recipient_id,
    transportKind: row.transport_kind,
    trigger: row.trigger,
    status: row.status,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    deliveredAt: toDate(row.delivered_at),
    location: row.location,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256Hex: row.sha256_hex,
    error: row.error,
    offeredAt: toDate(row.offered_at),
  };
}

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
): Promise<Transfer | undefined> {
  const row = await db.selectFrom('hub.transfer').selectAll().where('id', '=', transferId).executeTakeFirst();
  return row === undefined ? undefined : toTransfer(row);
}

export async function listRunTransfers(db: Kysely<HubDatabase>, runId: string): Promise<Transfer[]> {
  const rows = await db
    .selectFrom('hub.transfer')
    .selectAll()
    .where('run_id', '=', runId)
    .orderBy('recipient_id')
    .execute();
  return rows.map(toTransfer);
}

/** A run's transfers counted by outcome. */
export interface RunTransferCounts {
  readonly delivered: number;
  readonly failed: number;
  readonly held: number;
  /**
   * Nothing to deliver: skipped (empty or frozen delta), rejected (a hold an operator rejected), or
   * deferred (behind a pull recipient's unacknowledged feed).
   */
  readonly skipped: number;
  readonly pending: number;
  /** Offered to a pull recipient, not acknowledged yet. */
  readonly offered: number;
}

/** Per run id, its transfers counted by outcome; a run without transfers is absent. */
export async function countRunTransfers(
  db: Kysely<HubDatabase>,
  runIds: readonly string[],
): Promise<Map<string, RunTransferCounts>> {
  if (runIds.length === 0) return new Map();
  const counted = (statuses: readonly TransferStatus[]) =>
    sql<number>`(count(*) filter (where status in (${sql.join(statuses.map((status) => sql.lit(status)))})))::int`;
  const rows = await db
    .selectFrom('hub.transfer')
    .select([
      'run_id',
      counted(['delivered']).as('delivered'),
      counted(['failed']).as('failed'),
      counted(['held']).as('held'),
      counted(['skipped', 'rejected', 'deferred']).as('skipped'),
      counted(['pending']).as('pending'),
      counted(['offered']).as('offered'),
    ])
    .where('run_id', 'in', [...runIds])
    .groupBy('run_id')
    .execute();
  return new Map(rows.map(({ run_id, ...counts }) => [run_id, counts]));
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
