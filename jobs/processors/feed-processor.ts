import type { Job } from 'bullmq';
import { writeRecipientFeed, type FeedSummary } from '../../src/feed/index.js';
import type { FeedJobData } from '../../src/queue/index.js';
import { runIds, type HubContext } from '../../src/run/index.js';
import { classifyFailure } from './failure.js';
import { recordFinalFailure } from './final-failure.js';
import type { RecipientGate } from './recipient-gate.js';

/**
 * Writes one recipient's feed inside the recipient's critical section (at most one feed per recipient in
 * flight). Safe to run again after a crash: a written feed is reused, a half-written one rewritten.
 */
export function feedProcessor(ctx: HubContext, gate: RecipientGate) {
  return async (job: Job<FeedJobData>, token?: string, signal?: AbortSignal): Promise<FeedSummary> => {
    const { runId, recipientId, feedId } = job.data;
    return gate(
      job,
      token,
      recipientId,
      async () => {
        try {
          return await writeRecipientFeed(ctx, feedId, signal ? { signal } : {});
        } catch (error) {
          const failure = classifyFailure(job, error);
          if (failure.isFinal) await recordFinalFailure(ctx, job, failure.message, 'processor');
          throw failure.error;
        }
      },
      { after: runIds(runId).transferId(recipientId) },
    );
  };
}
