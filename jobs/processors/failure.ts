import { UnrecoverableError, type Job } from 'bullmq';
import { isHubError } from '../../src/errors/index.js';

/**
 * The one place a core error becomes a retry decision (STYLE 2.4): non-retryable HubErrors become
 * BullMQ's UnrecoverableError so no attempt is wasted on them. Returns whether this was the last try.
 */
export function classifyFailure(
  job: Job,
  error: unknown,
): { error: Error; isFinal: boolean; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const retryable = isHubError(error) ? error.retryable : true;
  const isFinal = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  return { error: retryable ? (error as Error) : new UnrecoverableError(message), isFinal, message };
}
