import { inFeedWritingOrder, recordFeedFailed, writeRecipientFeed } from '../src/feed/index.js';
import {
  finishRun,
  runIds,
  skipUnchangedRun,
  takeSnapshot,
  type HubContext,
  type RunOutcome,
} from '../src/run/index.js';
import {
  deliverTransfer,
  listRunTransfers,
  recipientLockFor,
  recordTransferFailed,
  withRecipientLock,
} from '../src/transfer/index.js';

/**
 * Runs a recorded run's steps one after another in this process, for machines with no Redis at all.
 * The same core steps as the queue processors, minus retries: a failure is recorded and the run goes on
 * with the next recipient. Deliveries hold the recipient lock, as the queue's do, so an operator's
 * approval or a worker on the same database cannot deliver to the recipient in between.
 */
export async function runInProcess(ctx: HubContext, runId: string): Promise<RunOutcome> {
  const ids = runIds(runId);
  const lock = await recipientLockFor(ctx.db);
  try {
    // Nothing changed for any recipient: every one is recorded skipped, and the source is not read.
    if (await skipUnchangedRun(ctx, runId)) return await finishRun(ctx, runId);
    await takeSnapshot(ctx, runId);
  } catch (error) {
    for (const transfer of await listRunTransfers(ctx.db, runId)) {
      await recordTransferFailed(ctx.db, transfer.id, `snapshot failed: ${messageOf(error)}`);
    }
    return finishRun(ctx, runId, { failure: `snapshot failed: ${messageOf(error)}` });
  }
  for (const transfer of inFeedWritingOrder(await listRunTransfers(ctx.db, runId), ctx.recipients)) {
    const feedId = ids.feedId(transfer.recipientId);
    try {
      await writeRecipientFeed(ctx, feedId);
    } catch (error) {
      await recordFeedFailed(ctx.db, feedId, messageOf(error));
      await recordTransferFailed(ctx.db, transfer.id, `feed failed: ${messageOf(error)}`);
      ctx.logger.error(
        { runId, recipientId: transfer.recipientId, err: messageOf(error) },
        'feed failed for good',
      );
      continue;
    }
    try {
      await withRecipientLock(lock, transfer.recipientId, () => deliverTransfer(ctx, transfer.id));
    } catch (error) {
      await recordTransferFailed(ctx.db, transfer.id, messageOf(error));
      ctx.logger.error(
        { runId, recipientId: transfer.recipientId, err: messageOf(error) },
        'transfer failed for good',
      );
    }
  }
  return finishRun(ctx, runId);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
