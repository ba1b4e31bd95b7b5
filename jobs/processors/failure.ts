import { UnrecoverableError, type Job } from 'bullmq';
import { isHubError } from '../../src/errors/index.js';

/**
 * The one place a core error becomes a retry decision (docs/requirements.md#c4): non-retryable HubErrors
 * become BullMQ's UnrecoverableError so no attempt is wasted on them. Returns whether this was the last try:
 * `attemptsMade` counts finished failed attempts only (a stall or a wait for the recipient lock is not one),
 * so the current attempt is number attemptsMade + 1.
 */
export function classifyFailure(
  job: Job,
  error: unknown,
): { error: Error; isFinal: boolean; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const retryable = isHubError(error) ? error.retryable : true;
  const isFinal = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const thrown = error instanceof Error ? error : new Error(message);
  return { error: retryable ? thrown : new UnrecoverableError(message), isFinal, message };
}
