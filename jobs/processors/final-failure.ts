import type { Job } from 'bullmq';
import { findFeed, recordFeedFailed } from '../../src/feed/index.js';
import { jobNames, type DeliverJobData, type FeedJobData, type RunJobData } from '../../src/queue/index.js';
import { findRun, finishRun, runIds, type HubContext } from '../../src/run/index.js';
import { failTransferIfPending, listRunTransfers, recordTransferFailed } from '../../src/transfer/index.js';

/**
 * How a job that failed for good was noticed:
 * - `processor`: by its processor on the last attempt, before BullMQ moves it to the failed set (so
 *   before the run's finish step can run): the transfer is recorded failed and one line logged.
 * - `event`: by the worker's `failed` event or the run's finish step, for a job BullMQ failed without
 *   running it (stalled more often than maxStalledCount allows). These may race each other, so the
 *   transfer changes only if it is still pending, atomically, and only the one that changed it logs.
 */
export type FailureNotice = 'processor' | 'event';

/**
 * What a job that failed for good leaves in the hub database: the transfer says `failed` with the
 * reason, and one error line names the recipient and the reason. Delivered state and disclosures are
 * never touched here (docs/requirements.md#d2). Never throws: the job's own error matters more, and the run's
 * finish step records any transfer left pending.
 */
export async function recordFinalFailure(
  ctx: HubContext,
  job: Job,
  message: string,
  notice: FailureNotice,
): Promise<void> {
  try {
    await record(ctx, job, message, notice);
  } catch (error) {
    ctx.logger.error(
      { job: job.name, jobId: job.id, err: message, recordErr: (error as Error).message },
      'could not record a final failure',
    );
  }
}

async function record(ctx: HubContext, job: Job, message: string, notice: FailureNotice): Promise<void> {
  switch (job.name) {
    case jobNames.snapshot: {
      const { runId } = job.data as RunJobData;
      if ((await findRun(ctx.db, runId)) === undefined) {
        // Enqueued by a process on another database: there is no run here to close.
        ctx.logger.error(
          { runId, err: message },
          'snapshot failed for good: the run is not in this hub database (does every process share DATABASE_URL?)',
        );
        return;
      }
      for (const transfer of await listRunTransfers(ctx.db, runId)) {
        await recordTransferFailed(ctx.db, transfer.id, `snapshot failed: ${message}`);
      }
      ctx.logger.error({ runId, err: message }, 'snapshot failed for good');
      await finishRun(ctx, runId, { failure: `snapshot failed: ${message}` });
      return;
    }
    case jobNames.feed: {
      const { runId, recipientId, feedId } = job.data as FeedJobData;
      if (notice === 'processor' || (await findFeed(ctx.db, feedId))?.status === 'pending') {
        await recordFeedFailed(ctx.db, feedId, message);
      }
      // The deliver job fails with this one (failParentOnFailure) without running, so say it here.
      await failTransfer(ctx, notice, {
        runId,
        recipientId,
        transferId: runIds(runId).transferId(recipientId),
        error: `feed failed: ${message}`,
      });
      return;
    }
    case jobNames.deliver: {
      const { runId, recipientId, transferId } = job.data as DeliverJobData;
      // "child … failed": its feed failed, and the feed's own notice says why.
      if (notice === 'event' && job.deferredFailure?.startsWith('child ') === true) return;
      await failTransfer(ctx, notice, { runId, recipientId, transferId, error: message });
      return;
    }
    default:
      ctx.logger.error({ job: job.name, jobId: job.id, err: message }, 'job failed for good');
  }
}

export async function failTransfer(
  ctx: HubContext,
  notice: FailureNotice,
  failure: { runId: string; recipientId: string; transferId: string; error: string },
): Promise<void> {
  const { runId, recipientId, transferId, error } = failure;
  if (notice === 'processor') {
    await recordTransferFailed(ctx.db, transferId, error);
  } else if (!(await failTransferIfPending(ctx.db, transferId, error))) {
    return;
  }
  ctx.logger.error({ runId, recipientId, transferId, err: error }, 'transfer failed for good');
}
