import type { Job } from 'bullmq';
import { recordFeedFailed, writeRecipientFeed, type FeedSummary } from '../../src/feed/index.js';
import type { FeedJobData } from '../../src/queue/index.js';
import { runIds, type HubContext } from '../../src/run/index.js';
import { recordTransferFailed } from '../../src/transfer/index.js';
import { classifyFailure } from './failure.js';

export function feedProcessor(ctx: HubContext) {
  return async (job: Job<FeedJobData>, _token?: string, signal?: AbortSignal): Promise<FeedSummary> => {
    const { runId, recipientId, feedId } = job.data;
    try {
      return await writeRecipientFeed(ctx, feedId, signal ? { signal } : {});
    } catch (error) {
      const failure = classifyFailure(job, error);
      if (failure.isFinal) {
        // The deliver job fails with this one (failParentOnFailure) without running, so say it here.
        await recordFeedFailed(ctx.db, feedId, failure.message);
        await recordTransferFailed(
          ctx.db,
          runIds(runId).transferId(recipientId),
          `feed failed: ${failure.message}`,
        );
        ctx.logger.error({ runId, recipientId, feedId, err: failure.message }, 'feed failed for good');
      }
      throw failure.error;
    }
  };
}
