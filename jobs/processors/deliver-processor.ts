import type { Job } from 'bullmq';
import type { DeliverJobData } from '../../src/queue/index.js';
import type { HubContext } from '../../src/run/index.js';
import { deliverTransfer, recordTransferFailed, type DeliveryOutcome } from '../../src/transfer/index.js';
import { classifyFailure } from './failure.js';

export function deliverProcessor(ctx: HubContext) {
  return async (
    job: Job<DeliverJobData>,
    _token?: string,
    signal?: AbortSignal,
  ): Promise<DeliveryOutcome> => {
    const { runId, recipientId, transferId } = job.data;
    try {
      return await deliverTransfer(ctx, transferId, signal ? { signal } : {});
    } catch (error) {
      const failure = classifyFailure(job, error);
      if (failure.isFinal) {
        await recordTransferFailed(ctx.db, transferId, failure.message);
        ctx.logger.error(
          { runId, recipientId, transferId, err: failure.message },
          'transfer failed for good',
        );
      }
      throw failure.error;
    }
  };
}
