import type { Kysely } from 'kysely';
import type { HubDatabase, TransferStatus } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { findFeed } from '../feed/feed-repository.js';
import type { HubContext } from '../run/hub-context.js';
import { runIds } from '../run/run-ids.js';
import type { ResyncRequest } from '../run/run.js';
import { acknowledgeWrittenFeed } from './written-feed.js';
import { findTransfer } from './transfer-repository.js';
import type { TransferTrigger } from './transfer-trigger.js';

/** A feed a pull recipient may fetch: offered (waiting for its acknowledgement) or already delivered. */
export interface PullOffer {
  readonly transferId: string;
  readonly runId: string;
  readonly recipientId: string;
  readonly status: Extract<TransferStatus, 'offered' | 'delivered'>;
  readonly feedType: 'full' | 'delta';
  readonly filePath: string;
  /** The name the recipient should store it under, unique per transfer. */
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
  readonly offeredAt: Date | null;
  readonly deliveredAt: Date | null;
}

function offers(db: Kysely<HubDatabase>, recipientId: string) {
  return db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select([
      't.id',
      't.run_id',
      't.recipient_id',
      't.status',
      't.offered_at',
      't.delivered_at',
      'f.feed_type',
      'f.file_path',
      'f.size_bytes',
      'f.sha256_hex',
    ])
    .where('t.recipient_id', '=', recipientId)
    .where('t.transport_kind', '=', 'pull')
    .where('f.status', '=', 'written');
}

type OfferRow = Awaited<ReturnType<ReturnType<typeof offers>['executeTakeFirst']>>;

function toOffer(row: OfferRow): PullOffer | undefined {
  if (row === undefined || row.file_path === null || row.sha256_hex === null) return undefined;
  if (row.status !== 'offered' && row.status !== 'delivered') return undefined;
  return {
    transferId: row.id,
    runId: row.run_id,
    recipientId: row.recipient_id,
    status: row.status,
    feedType: row.feed_type,
    filePath: row.file_path,
    fileName: runIds(row.run_id).feedFileName(row.recipient_id, row.feed_type),
    sizeBytes: Number(row.size_bytes ?? 0),
    sha256Hex: row.sha256_hex,
    offeredAt: row.offered_at === null ? null : new Date(row.offered_at),
    deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at),
  };
}

/** The oldest feed offered to the recipient and not acknowledged yet: what `next` hands out. */
export async function findOldestOffer(
  db: Kysely<HubDatabase>,
  recipientId: string,
): Promise<PullOffer | undefined> {
  const row = await offers(db, recipientId)
    .where('t.status', '=', 'offered')
    .orderBy('t.offered_at')
    .orderBy('t.id')
    .limit(1)
    .executeTakeFirst();
  return toOffer(row);
}

/** One of the recipient's pull feeds by transfer id, offered or delivered; undefined for anything else. */
export async function findPullOffer(
  db: Kysely<HubDatabase>,
  recipientId: string,
  transferId: string,
): Promise<PullOffer | undefined> {
  const row = await offers(db, recipientId)
    .where('t.id', '=', transferId)
    .where('t.status', 'in', ['offered', 'delivered'])
    .executeTakeFirst();
  return toOffer(row);
}

/**
 * The pull recipient's acknowledgement: the offered transfer becomes delivered, with its disclosures and
 * the recipient's delivered state, in the one acknowledgement transaction push transports use (with the
 * base check). False when it was acknowledged already. Call it under the recipient's lock.
 */
export async function acknowledgeOffer(
  ctx: HubContext,
  transferId: string,
  alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<boolean> {
  const transfer = await findTransfer(ctx.db, transferId);
  const feed = transfer === undefined ? undefined : await findFeed(ctx.db, transfer.feedId);
  if (transfer === undefined || feed?.filePath == null || feed.sha256Hex === null) {
    throw new HubError('PIFU_FEED_UNKNOWN', `no feed ${transferId} was offered to be fetched`);
  }
  if (transfer.status === 'delivered') return false;
  return acknowledgeWrittenFeed(
    ctx,
    transfer,
    { ...feed, filePath: feed.filePath, sha256Hex: feed.sha256Hex },
    transfer.location ?? `/feeds/${transfer.recipientId}/${transferId}`,
    alsoInTransaction,
  );
}

/** A feed deferred behind an unacknowledged offer, with what its run asked for. */
export interface DeferredTransfer {
  readonly transferId: string;
  readonly runId: string;
  readonly trigger: TransferTrigger;
  readonly feedType: 'full' | 'delta';
  readonly requestedBy: string | null;
  readonly reason: string | null;
  readonly resync: ResyncRequest | null;
}

/** The recipient's deferred transfers, oldest first. */
export async function listDeferredTransfers(
  db: Kysely<HubDatabase>,
  recipientId: string,
): Promise<DeferredTransfer[]> {
  const rows = await db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.run as r', 'r.id', 't.run_id')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .select(['t.id', 't.run_id', 't.trigger', 'f.feed_type', 'r.requested_by', 'r.reason', 'r.resync'])
    .where('t.recipient_id', '=', recipientId)
    .where('t.status', '=', 'deferred')
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
  return rows.map((row) => ({
    transferId: row.id,
    runId: row.run_id,
    trigger: row.trigger,
    feedType: row.feed_type,
    requestedBy: row.requested_by,
    reason: row.reason,
    resync: (row.resync ?? null) as DeferredTransfer['resync'],
  }));
}

/** deferred → skipped, naming the run that catches them up; in that run's recording transaction. */
export async function recordDeferredCaughtUp(
  db: Kysely<HubDatabase>,
  transferIds: readonly string[],
  note: string,
): Promise<void> {
  if (transferIds.length === 0) return;
  await db
    .updateTable('hub.transfer')
    .set({ status: 'skipped', error: note })
    .where('id', 'in', [...transferIds])
    .where('status', '=', 'deferred')
    .execute();
}
