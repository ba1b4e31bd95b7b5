import type { JobsOptions } from 'bullmq';

/** Retries with exponential backoff and jitter; the failed job is kept as the dead letter. */
export const retryOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: false,
};
