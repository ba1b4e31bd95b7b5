import type { FlowProducer, Job } from 'bullmq';
import { takeSnapshot, runIds, type HubContext, finishRun } from '../../src/run/index.js';
import { jobIds, jobNames, queueNames, type RunJobData } from '../../src/queue/index.js';
import { recordTransferFailed, listRunTransfers } from '../../src/transfer/index.js';
import { classifyFailure } from './failure.js';
import { retryOptions } from './retry-options.js';

/** Reads the run's snapshot, then hands the rest of the run to a flow: feed → deliver → finish. */
export function snapshotProcessor(ctx: HubContext, flows: FlowProducer) {
  return async (job: Job<RunJobData>, _token?: string, signal?: AbortSignal): Promise<void> => {
    const { runId } = job.data;
    try {
      await takeSnapshot(ctx, runId, signal ? { signal } : {});
    } catch (error) {
      const failure = classifyFailure(job, error);
      if (failure.isFinal) {
        for (const transfer of await listRunTransfers(ctx.db, runId)) {
          await recordTransferFailed(ctx.db, transfer.id, `snapshot failed: ${failure.message}`);
        }
        await finishRun(ctx, runId);
      }
      throw failure.error;
    }
    const ids = runIds(runId);
    const transfers = await listRunTransfers(ctx.db, runId);
    await flows.add({
      name: jobNames.finish,
      queueName: queueNames.run,
      data: { runId },
      opts: { jobId: jobIds.finish(runId) },
      children: transfers.map((transfer) => ({
        name: jobNames.deliver,
        queueName: queueNames.deliver,
        data: { runId, recipientId: transfer.recipient_id, transferId: transfer.id },
        opts: { jobId: jobIds.deliver(transfer.id), ignoreDependencyOnFailure: true, ...retryOptions },
        children: [
          {
            name: jobNames.feed,
            queueName: queueNames.feed,
            data: { runId, recipientId: transfer.recipient_id, feedId: ids.feedId(transfer.recipient_id) },
            opts: {
              jobId: jobIds.feed(ids.feedId(transfer.recipient_id)),
              failParentOnFailure: true,
              ...retryOptions,
            },
          },
        ],
      })),
    });
  };
}

export function finishProcessor(ctx: HubContext) {
  return async (job: Job<RunJobData>) => finishRun(ctx, job.data.runId);
}
