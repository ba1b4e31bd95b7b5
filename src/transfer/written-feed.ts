import type { Kysely } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import type { FeedRow, HubDatabase, TransferRow } from '../db/index.js';
import { disclosureManifestPath, readDisclosureManifest } from '../disclosure/index.js';
import { HubError, isHubError } from '../errors/index.js';
import { findFeed } from '../feed/feed-repository.js';
import type { FeedFile } from '../ports/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runIds } from '../run/run-ids.js';
import { findRun } from '../run/run-repository.js';
import { findRecipientState, openStateManifest, stateManifestPath } from '../state/index.js';
import { acknowledgeTransfer } from './acknowledge-transfer.js';
import { refuseStaleTransfer } from './transfer-base.js';

/** A transfer's written feed, its recipient, and the file as the transport sees it. */
export interface WrittenFeed {
  readonly transfer: TransferRow;
  readonly feed: FeedRow & { file_path: string; sha256_hex: string };
  readonly recipient: RecipientConfig;
  readonly file: FeedFile;
}

/** The feed a transfer sends; refused when it is not written or its recipient is no longer configured. */
export async function loadWrittenFeed(ctx: HubContext, transfer: TransferRow): Promise<WrittenFeed> {
  const feed = await findFeed(ctx.db, transfer.feed_id);
  if (feed?.status !== 'written' || feed.file_path === null || feed.sha256_hex === null) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `transfer ${transfer.id}: its feed ${transfer.feed_id} is not written`,
    );
  }
  const recipient = ctx.recipients.get(transfer.recipient_id);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `transfer ${transfer.id}: recipient "${transfer.recipient_id}" is no longer configured`,
    );
  }
  const written = { ...feed, file_path: feed.file_path, sha256_hex: feed.sha256_hex };
  return {
    transfer,
    feed: written,
    recipient,
    file: {
      transferId: transfer.id,
      recipientId: recipient.id,
      path: written.file_path,
      fileName: runIds(transfer.run_id).feedFileName(recipient.id, feed.feed_type),
      sizeBytes: Number(feed.size_bytes),
      sha256Hex: written.sha256_hex,
    },
  };
}

/**
 * Commits a written feed as delivered at `location`, with its manifests, in the one acknowledgement
 * transaction (acknowledgeTransfer): for a push transport right after the transport succeeded, for a
 * pull recipient when it acknowledges what it fetched. False when it was acknowledged already. A base
 * that moved is refused (PIFU_TRANSFER_STALE): the transfer is recorded failed, nothing is counted.
 */
export async function acknowledgeWrittenFeed(
  ctx: HubContext,
  transfer: TransferRow,
  feed: FeedRow & { file_path: string; sha256_hex: string },
  location: string,
  alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<boolean> {
  const run = await findRun(ctx.db, transfer.run_id);
  const basedOn = feed.based_on_transfer_id;
  try {
    return await acknowledgeTransfer(
      ctx.db,
      {
        transferId: transfer.id,
        recipientId: transfer.recipient_id,
        basedOn,
        location,
        sizeBytes: Number(feed.size_bytes),
        sha256Hex: feed.sha256_hex,
        deliveredAt: ctx.now(),
        disclosures: () => readDisclosureManifest(disclosureManifestPath(feed.file_path)),
        state: await openStateManifest(stateManifestPath(feed.file_path)),
        snapshotAt: run?.snapshot_at == null ? null : new Date(run.snapshot_at),
        scopeDate: run?.scope_date ?? null,
        profileHash: feed.profile_hash ?? '',
      },
      alsoInTransaction,
    );
  } catch (error) {
    // Only when someone acknowledged for the recipient without its lock: the file went out, uncounted.
    if (isHubError(error) && error.code === 'PIFU_TRANSFER_STALE') {
      const current = (await findRecipientState(ctx.db, transfer.recipient_id))?.transferId ?? null;
      await refuseStaleTransfer(
        ctx.db,
        { transferId: transfer.id, recipientId: transfer.recipient_id, basedOn, current },
        error,
        ctx.now(),
      );
      ctx.logger.error(
        { transferId: transfer.id, recipientId: transfer.recipient_id, basedOn, current, location },
        'stale transfer refused at acknowledgement',
      );
    }
    throw error;
  }
}
