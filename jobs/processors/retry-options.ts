import type { JobsOptions } from 'bullmq';
import type { RecipientConfig } from '../../src/config/index.js';

/**
 * Run-level jobs (snapshot, finish): retries with exponential backoff and jitter; the failed job is kept
 * as the dead letter (removeOnFail false), for `pifu-hub` and Bull Board style tools to show.
 */
export const retryOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: false,
};

/**
 * A recipient's feed and deliver jobs: its own `delivery` settings, the first retry after
 * `backoffSeconds`, doubling each attempt, each delay drawn from its upper half (jitter 0.5) so that a
 * fleet of retries does not hit a recovering recipient in step. Without a config (a recipient removed
 * between run and job), the run-level defaults.
 */
export function recipientRetryOptions(recipient: RecipientConfig | undefined): JobsOptions {
  if (recipient === undefined) return retryOptions;
  return {
    ...retryOptions,
    attempts: recipient.delivery.attempts,
    backoff: {
      type: 'exponential',
      delay: Math.round(recipient.delivery.backoffSeconds * 1000),
      jitter: 0.5,
    },
  };
}
