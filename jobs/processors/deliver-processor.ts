import type { Job } from 'bullmq';
import type { DeliverJobData } from '../../src/queue/index.js';
import type { HubContext } from '../../src/run/index.js';
import { deliverTransfer, type DeliveryOutcome } from '../../src/transfer/index.js';
import { classifyFailure } from './failure.js';
import { recordFinalFailure } from './final-failure.js';
import type { RecipientGate } from './recipient-gate.js';

/**
 * Delivers a written feed and acknowledges it, inside the recipient's critical section. Safe to run
 * again after a crash: the same transfer id goes to the transport again (idempotent for the recipient),
 * and an acknowledged transfer is not acknowledged twice.
 */
export function deliverProcessor(ctx: HubContext, gate: RecipientGate) {
  return async (job: Job<DeliverJobData>, token?: string, signal?: AbortSignal): Promise<DeliveryOutcome> => {
    const { recipientId, transferId } = job.data;
    return gate(job, token, recipientId, async () => {
      try {
        return await deliverTransfer(ctx, transferId, signal ? { signal } : {});
      } catch (error) {
        const failure = classifyFailure(job, error);
        if (failure.isFinal) await recordFinalFailure(ctx, job, failure.message, 'processor');
        throw failure.error;
      }
    });
  };
}
