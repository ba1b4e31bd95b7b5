import { HubError } from '../errors/index.js';
import type { HubContext } from '../run/hub-context.js';
import { refuseIfStale } from './transfer-base.js';
import { findTransfer, recordTransferAttempt, recordTransferOffered } from './transfer-repository.js';
import { acknowledgeWrittenFeed, loadWrittenFeed } from './written-feed.js';

export interface DeliveryOutcome {
  readonly transferId: string;
  readonly recipientId: string;
  readonly location: string;
  readonly alreadyDelivered: boolean;
  /**
   * Set when nothing was delivered: the transfer is held, rejected or skipped (empty delta), deferred
   * (an earlier feed waits for a pull recipient), offered (the pull recipient acknowledges it later), or
   * failed (its run was cancelled or closed; only `retry` may send a failed transfer, by claiming it).
   */
  readonly notDelivered?: 'held' | 'rejected' | 'skipped' | 'deferred' | 'offered' | 'failed';
}

/**
 * Hands a written feed to the recipient's transport and, only once the transport says the recipient
 * holds it, commits the acknowledgement (transfer row + disclosures) in one transaction, whose writing
 * runs while the transport sends. A crash before
 * that commit repeats the delivery with the same transfer id, which every transport must tolerate. A
 * pull transport only offers the feed: the transfer is `offered` until the recipient acknowledges it.
 *
 * The caller holds the recipient lock (the queue's gate, deliverUnderRecipientLock, the in-process run):
 * then no other acknowledgement for the recipient can come between the base check here, before the
 * transport is called, and this delivery's own acknowledgement, which checks it again. A feed whose base
 * moved is refused with PIFU_TRANSFER_STALE and its transfer recorded failed; nothing is sent.
 */
export async function deliverTransfer(
  ctx: HubContext,
  transferId: string,
  options: { signal?: AbortSignal } = {},
): Promise<DeliveryOutcome> {
  const transfer = await findTransfer(ctx.db, transferId);
  if (transfer === undefined) {
    throw new HubError('PIFU_TRANSFER_UNKNOWN', `transfer ${transferId} does not exist`);
  }
  if (transfer.status === 'delivered') {
    return {
      transferId,
      recipientId: transfer.recipientId,
      location: transfer.location ?? '',
      alreadyDelivered: true,
    };
  }
  if (transfer.status !== 'pending') {
    return {
      transferId,
      recipientId: transfer.recipientId,
      location: transfer.location ?? '',
      alreadyDelivered: false,
      notDelivered: transfer.status,
    };
  }
  const written = await loadWrittenFeed(ctx, transfer);
  const log = ctx.logger.child({ runId: transfer.runId, transferId, recipientId: written.recipient.id });
  await refuseIfStale(ctx, transferId);
  await recordTransferAttempt(ctx.db, transferId);
  const transport = ctx.transportFor(written.recipient.transport, written.recipient.id);
  // recordTransferAttempt above counted this one.
  const delivering = transport.deliver({ ...written.file, attempt: transfer.attempts + 1 }, options);
  // The acknowledgement writes the manifests while the transport sends, and commits only on its receipt
  // (a push transport's location; a pull transport's offer rolls it back): a crash or a failed transport
  // before then leaves nothing delivered. Both are awaited before anything is decided.
  const location = delivering.then((receipt) =>
    receipt.awaitsAcknowledgement === true ? undefined : receipt.location,
  );
  location.catch(() => undefined);
  const [sent, acknowledging] = await Promise.allSettled([
    delivering,
    acknowledgeWrittenFeed(ctx, transfer, written.feed, location),
  ]);
  // A failed transport is the failure, whatever the acknowledgement it rolled back says.
  if (sent.status === 'rejected') throw sent.reason;
  const receipt = sent.value;
  if (receipt.awaitsAcknowledgement === true) {
    if (acknowledging.status === 'rejected') throw acknowledging.reason;
    // Pull: the recipient fetches the feed and acknowledges it itself; until then nothing is delivered.
    await recordTransferOffered(ctx.db, transferId, { location: receipt.location, at: ctx.now() });
    log.info({ location: receipt.location, sizeBytes: written.file.sizeBytes }, 'transfer offered');
    return {
      transferId,
      recipientId: written.recipient.id,
      location: receipt.location,
      alreadyDelivered: false,
      notDelivered: 'offered',
    };
  }
  if (acknowledging.status === 'rejected') throw acknowledging.reason;
  log.info({ location: receipt.location, sizeBytes: written.file.sizeBytes }, 'transfer delivered');
  return {
    transferId,
    recipientId: written.recipient.id,
    location: receipt.location,
    alreadyDelivered: !acknowledging.value,
  };
}
