import type { Kysely } from 'kysely';
import type { HubDatabase, TransferStatus } from '../db/index.js';
import { HubError } from '../errors/index.js';
import type { HubContext } from '../run/hub-context.js';

/**
 * A transfer's base: the recipient's delivered state its feed was computed against, beside the one it
 * has now. Both a delta and a full carry state lines relative to their base (a full's lines say only
 * what changed against it, so an unchanged nightly full rewrites no state), so either is right only on
 * top of exactly that state. A full whose base moved would also overwrite a newer delivery with older
 * data, and leave the hub believing the recipient still holds what that delivery added.
 */
export interface TransferBase {
  readonly transferId: string;
  readonly recipientId: string;
  readonly status: TransferStatus;
  /** The recipient state's transfer id when the feed was computed; null: it held nothing (a first full). */
  readonly basedOn: string | null;
  /** The recipient state's transfer id now; null: it holds nothing. */
  readonly current: string | null;
}

async function findTransferBase(
  db: Kysely<HubDatabase>,
  transferId: string,
): Promise<TransferBase | undefined> {
  const row = await db
    .selectFrom('hub.transfer as t')
    .innerJoin('hub.feed as f', 'f.id', 't.feed_id')
    .leftJoin('hub.recipient_state as s', 's.recipient_id', 't.recipient_id')
    .select(['t.id', 't.recipient_id', 't.status', 'f.based_on_transfer_id', 's.transfer_id as current'])
    .where('t.id', '=', transferId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        transferId: row.id,
        recipientId: row.recipient_id,
        status: row.status,
        basedOn: row.based_on_transfer_id,
        current: row.current ?? null,
      };
}

/**
 * The refusal of a transfer whose base moved. `before-transport`: nothing left the hub.
 * `at-acknowledgement`: the transport already had the file, but the hub does not count it as delivered.
 */
export function staleTransferError(
  base: Pick<TransferBase, 'transferId' | 'recipientId' | 'basedOn' | 'current'>,
  when: 'before-transport' | 'at-acknowledgement',
): HubError {
  const { transferId, recipientId } = base;
  const against = base.basedOn === null ? 'an empty delivered state' : `delivered state ${base.basedOn}`;
  const outcome =
    when === 'before-transport'
      ? 'it was not delivered'
      : 'the transport had it, but it is not acknowledged: delivered state and disclosures are unchanged';
  return new HubError(
    'PIFU_TRANSFER_STALE',
    `transfer ${transferId} for ${recipientId} was computed against ${against}, but ${recipientId}'s ` +
      `delivered state is now ${base.current ?? 'empty'}; ${outcome}, and it cannot be retried; ` +
      `run a new delta: pifu-hub export --recipient ${recipientId} --delta`,
  );
}

/**
 * Records the refusal: the transfer ends `failed` with the reason (so `run show` says why and a retry is
 * refused again), and an undecided hold of it is `superseded`, since it can never be approved now.
 * Delivered state and disclosures are not touched.
 */
export async function refuseStaleTransfer(
  db: Kysely<HubDatabase>,
  base: Pick<TransferBase, 'transferId' | 'recipientId' | 'basedOn' | 'current'>,
  error: HubError,
  at: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('hub.transfer')
      .set({ status: 'failed', error: error.message })
      .where('id', '=', base.transferId)
      .where('status', 'in', ['pending', 'held', 'failed'])
      .execute();
    await trx
      .updateTable('hub.hold')
      .set({
        decision: 'superseded',
        decided_by: 'pifu-hub',
        decision_reason: `${base.recipientId}'s delivered state moved from ${base.basedOn ?? 'empty'} to ${base.current ?? 'empty'} since this delta was computed`,
        decided_at: at,
      })
      .where('transfer_id', '=', base.transferId)
      .where('decision', 'is', null)
      .execute();
  });
}

/**
 * Checks, before the transport is called, that a transfer that could still be delivered (pending, held
 * or failed) is based on the recipient's current delivered state; otherwise records the refusal and
 * throws PIFU_TRANSFER_STALE. Only meaningful under the recipient lock, which keeps every other
 * acknowledgement for the recipient out until this delivery is acknowledged.
 */
export async function refuseIfStale(ctx: HubContext, transferId: string): Promise<void> {
  const base = await findTransferBase(ctx.db, transferId);
  if (base === undefined || !['pending', 'held', 'failed'].includes(base.status)) return;
  if (base.basedOn === base.current) return;
  const error = staleTransferError(base, 'before-transport');
  await refuseStaleTransfer(ctx.db, base, error, ctx.now());
  ctx.logger.warn(
    { transferId, recipientId: base.recipientId, basedOn: base.basedOn, current: base.current },
    'stale transfer refused',
  );
  throw error;
}
