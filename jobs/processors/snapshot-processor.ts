import type { FlowProducer, Job } from 'bullmq';
import { inFeedWritingOrder } from '../../src/feed/index.js';
import { takeSnapshot, runIds, type HubContext, finishRun, skipUnchangedRun } from '../../src/run/index.js';
import { jobIds, jobNames, queueNames, type RunJobData } from '../../src/queue/index.js';
import { listRunTransfers } from '../../src/transfer/index.js';
import { classifyFailure } from './failure.js';
import { failTransfer, recordFinalFailure } from './final-failure.js';
import { recipientRetryOptions, retryOptions } from './retry-options.js';

/**
 * Reads the run's snapshot, then hands the rest of the run to a flow: feed → deliver → finish. Feed and
 * deliver jobs retry by their recipient's `delivery` settings. Safe to run again: a complete spool is
 * reused and the flow's job ids are deterministic, so a second add changes nothing. A run with nothing
 * to send to any recipient (skipUnchangedRun) reads no snapshot and needs no flow: it is finished here.
 */
export function snapshotProcessor(ctx: HubContext, flows: FlowProducer) {
  return async (job: Job<RunJobData>, _token?: string, signal?: AbortSignal): Promise<void> => {
    const { runId } = job.data;
    let unchanged: boolean;
    try {
      unchanged = await skipUnchangedRun(ctx, runId);
      if (!unchanged) await takeSnapshot(ctx, runId, signal ? { signal } : {});
    } catch (error) {
      const failure = classifyFailure(job, error);
      if (failure.isFinal) await recordFinalFailure(ctx, job, failure.message, 'processor');
      throw failure.error;
    }
    if (unchanged) {
      await finishRun(ctx, runId);
      return;
    }
    const ids = runIds(runId);
    // A queue's waiting jobs are taken first in, first out: the feeds come in the run's writing order.
    const transfers = inFeedWritingOrder(await listRunTransfers(ctx.db, runId), ctx.recipients);
    await flows.add({
      name: jobNames.finish,
      queueName: queueNames.run,
      data: { runId },
      opts: { ...retryOptions, jobId: jobIds.finish(runId) },
      children: transfers.map((transfer) => {
        const retry = recipientRetryOptions(ctx.recipients.get(transfer.recipientId));
        return {
          name: jobNames.deliver,
          queueName: queueNames.deliver,
          data: { runId, recipientId: transfer.recipientId, transferId: transfer.id },
          opts: { ...retry, jobId: jobIds.deliver(transfer.id), ignoreDependencyOnFailure: true },
          children: [
            {
              name: jobNames.feed,
              queueName: queueNames.feed,
              data: { runId, recipientId: transfer.recipientId, feedId: ids.feedId(transfer.recipientId) },
              opts: {
                ...retry,
                jobId: jobIds.feed(ids.feedId(transfer.recipientId)),
                failParentOnFailure: true,
              },
            },
          ],
        };
      }),
    });
  };
}

/**
 * Closes the run once every deliver job is done. A transfer still pending here lost its deliver job
 * without the processor saying so (BullMQ failed it unprocessed: stalled too often, or the worker died
 * between the failure and its record), so it is recorded failed with BullMQ's reason before the run's
 * outcome is counted.
 */
export function finishProcessor(ctx: HubContext) {
  return async (job: Job<RunJobData>) => {
    const { runId } = job.data;
    const pending = (await listRunTransfers(ctx.db, runId)).filter(
      (transfer) => transfer.status === 'pending',
    );
    if (pending.length > 0) {
      const failures = await job.getIgnoredChildrenFailures();
      for (const transfer of pending) {
        const key = Object.keys(failures).find((childKey) =>
          childKey.endsWith(`:${queueNames.deliver}:${jobIds.deliver(transfer.id)}`),
        );
        await failTransfer(ctx, 'event', {
          runId,
          recipientId: transfer.recipientId,
          transferId: transfer.id,
          error:
            (key === undefined ? undefined : failures[key]) ?? 'its deliver job ended without delivering',
        });
      }
    }
    return finishRun(ctx, runId);
  };
}
