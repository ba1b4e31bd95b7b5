import { readDisclosureManifest, disclosureManifestPath } from '../disclosure/index.js';
import { findRun } from '../run/run-repository.js';
import { findRecipientState, openStateManifest, stateManifestPath } from '../state/index.js';
import { HubError, isHubError } from '../errors/index.js';
import { findFeed } from '../feed/feed-repository.js';
import type { HubContext } from '../run/hub-context.js';
import { runIds } from '../run/run-ids.js';
import { acknowledgeTransfer } from './acknowledge-transfer.js';
import { refuseIfStale, refuseStaleTransfer } from './transfer-base.js';
import { findTransfer, recordTransferAttempt } from './transfer-repository.js';

export interface DeliveryOutcome {
  readonly transferId: string;
  readonly recipientId: string;
  readonly location: string;
  readonly alreadyDelivered: boolean;
  /** Set when there was nothing to deliver: the transfer is held, rejected or skipped (empty delta). */
  readonly notDelivered?: 'held' | 'rejected' | 'skipped';
}

/**
 * Hands a written feed to the recipient's transport and, only once the transport says the recipient
 * holds it, commits the acknowledgement (transfer row + disclosures) in one transaction. A crash before
 * that commit repeats the delivery with the same transfer id, which every transport must tolerate.
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
  if (transfer === undefined) throw new HubError('PIFU_RUN_UNKNOWN', `transfer ${transferId} does not exist`);
  if (transfer.status === 'delivered') {
    return {
      transferId,
      recipientId: transfer.recipient_id,
      location: transfer.location ?? '',
      alreadyDelivered: true,
    };
  }
  if (transfer.status === 'held' || transfer.status === 'rejected' || transfer.status === 'skipped') {
    return {
      transferId,
      recipientId: transfer.recipient_id,
      location: '',
      alreadyDelivered: false,
      notDelivered: transfer.status,
    };
  }
  const feed = await findFeed(ctx.db, transfer.feed_id);
  if (feed?.status !== 'written' || feed.file_path === null || feed.sha256_hex === null) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `transfer ${transferId}: its feed ${transfer.feed_id} is not written`,
    );
  }
  const recipient = ctx.recipients.get(transfer.recipient_id);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `transfer ${transferId}: recipient "${transfer.recipient_id}" is no longer configured`,
    );
  }
  const log = ctx.logger.child({ runId: transfer.run_id, transferId, recipientId: recipient.id });
  await refuseIfStale(ctx, transferId);
  await recordTransferAttempt(ctx.db, transferId);
  const transport = ctx.transportFor(recipient.transport, recipient.id);
  const receipt = await transport.deliver(
    {
      transferId,
      recipientId: recipient.id,
      path: feed.file_path,
      fileName: runIds(transfer.run_id).feedFileName(recipient.id, feed.feed_type),
      sizeBytes: Number(feed.size_bytes),
      sha256Hex: feed.sha256_hex,
      // recordTransferAttempt above counted this one.
      attempt: transfer.attempts + 1,
    },
    options,
  );
  const run = await findRun(ctx.db, transfer.run_id);
  const basedOn = feed.based_on_transfer_id;
  let acknowledged: boolean;
  try {
    acknowledged = await acknowledgeTransfer(ctx.db, {
      transferId,
      recipientId: recipient.id,
      basedOn,
      location: receipt.location,
      sizeBytes: Number(feed.size_bytes),
      sha256Hex: feed.sha256_hex,
      deliveredAt: ctx.now(),
      disclosures: () => readDisclosureManifest(disclosureManifestPath(feed.file_path ?? '')),
      state: await openStateManifest(stateManifestPath(feed.file_path)),
      snapshotAt: run?.snapshot_at == null ? null : new Date(run.snapshot_at),
      scopeDate: run?.scope_date ?? null,
      profileHash: feed.profile_hash ?? '',
    });
  } catch (error) {
    // Only when someone acknowledged for the recipient without its lock: the file went out, uncounted.
    if (isHubError(error) && error.code === 'PIFU_TRANSFER_STALE') {
      const current = (await findRecipientState(ctx.db, recipient.id))?.transferId ?? null;
      await refuseStaleTransfer(
        ctx.db,
        { transferId, recipientId: recipient.id, basedOn, current },
        error,
        ctx.now(),
      );
      log.error(
        { basedOn, current, location: receipt.location },
        'stale transfer refused at acknowledgement',
      );
    }
    throw error;
  }
  log.info({ location: receipt.location, sizeBytes: Number(feed.size_bytes) }, 'transfer delivered');
  return {
    transferId,
    recipientId: recipient.id,
    location: receipt.location,
    alreadyDelivered: !acknowledged,
  };
}
