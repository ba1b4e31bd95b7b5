import type { Kysely } from 'kysely';
import type { RecipientConfig } from '../config/index.js';
import type { HubDatabase } from '../db/index.js';
import { openDisclosureManifest } from '../disclosure/index.js';
import { HubError, isHubError } from '../errors/index.js';
import { findFeed, type Feed } from '../feed/feed-repository.js';
import type { FeedFile } from '../ports/index.js';
import type { HubContext } from '../run/hub-context.js';
import { runIds } from '../run/run-ids.js';
import { findRun } from '../run/run-repository.js';
import { findRecipientState, openStateManifest } from '../state/index.js';
import { acknowledgeTransfer } from './acknowledge-transfer.js';
import { refuseStaleTransfer } from './transfer-base.js';
import type { Transfer } from './transfer-repository.js';

/** A transfer's written feed, its recipient, and the file as the transport sees it. */
export interface WrittenFeed {
  readonly transfer: Transfer;
  readonly feed: Feed & { filePath: string; sha256Hex: string };
  readonly recipient: RecipientConfig;
  readonly file: FeedFile;
}

/** The feed a transfer sends; refused when it is not written or its recipient is no longer configured. */
export async function loadWrittenFeed(ctx: HubContext, transfer: Transfer): Promise<WrittenFeed> {
  const feed = await findFeed(ctx.db, transfer.feedId);
  if (feed?.status !== 'written' || feed.filePath === null || feed.sha256Hex === null) {
    throw new HubError(
      'PIFU_SPOOL_MISSING',
      `transfer ${transfer.id}: its feed ${transfer.feedId} is not written`,
    );
  }
  const recipient = ctx.recipients.get(transfer.recipientId);
  if (recipient === undefined) {
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `transfer ${transfer.id}: recipient "${transfer.recipientId}" is no longer configured`,
    );
  }
  const written = { ...feed, filePath: feed.filePath, sha256Hex: feed.sha256Hex };
  return {
    transfer,
    feed: written,
    recipient,
    file: {
      transferId: transfer.id,
      recipientId: recipient.id,
      path: written.filePath,
      fileName: runIds(transfer.runId).feedFileName(recipient.id, feed.feedType),
      sizeBytes: Number(feed.sizeBytes),
      sha256Hex: written.sha256Hex,
    },
  };
}

/**
 * Commits a written feed as delivered at `location`, with its manifests, in the one acknowledgement
 * transaction (acknowledgeTransfer): for a push transport while it sends, committing once it succeeded
 * (`location` its pending receipt, undefined when it only offered the feed), for a pull recipient when
 * it acknowledges what it fetched. False when it was acknowledged already, or not delivered. A base
 * that moved is refused (PIFU_TRANSFER_STALE): the transfer is recorded failed, nothing is counted.
 */
export async function acknowledgeWrittenFeed(
  ctx: HubContext,
  transfer: Transfer,
  feed: Feed & { filePath: string; sha256Hex: string },
  location: string | PromiseLike<string | undefined>,
  alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>,
): Promise<boolean> {
  const run = await findRun(ctx.db, transfer.runId);
  const basedOn = feed.basedOnTransferId;
  try {
    return await acknowledgeTransfer(
      ctx.db,
      {
        transferId: transfer.id,
        recipientId: transfer.recipientId,
        basedOn,
        location,
        sizeBytes: Number(feed.sizeBytes),
        sha256Hex: feed.sha256Hex,
        deliveredAt: ctx.now(),
        disclosures: openDisclosureManifest(feed.filePath),
        state: await openStateManifest(feed.filePath),
        snapshotAt: run?.snapshotAt == null ? null : new Date(run.snapshotAt),
        sourceMarker: run?.sourceMarker ?? null,
        scopeDate: run?.scopeDate ?? null,
        profileHash: feed.profileHash ?? '',
      },
      alsoInTransaction,
    );
  } catch (error) {
    // Only when someone acknowledged for the recipient without its lock: the file went out, uncounted.
    if (isHubError(error) && error.code === 'PIFU_TRANSFER_STALE') {
      const current = (await findRecipientState(ctx.db, transfer.recipientId))?.transferId ?? null;
      await refuseStaleTransfer(
        ctx.db,
        { transferId: transfer.id, recipientId: transfer.recipientId, basedOn, current },
        error,
        ctx.now(),
      );
      ctx.logger.error(
        { transferId: transfer.id, recipientId: transfer.recipientId, basedOn, current },
        'stale transfer refused at acknowledgement',
      );
    }
    throw error;
  }
}
