import { DelayedError, type Job } from 'bullmq';
import type { HubContext } from '../../src/run/index.js';
import { earlierPendingTransfers, type RecipientLock } from '../../src/transfer/index.js';

type Step<T> =
  { readonly done: true; readonly value: T } | { readonly done: false; readonly waitFor: string };

export interface RecipientGateDeps {
  /** The hub database's recipient lock (advisory on PostgreSQL, in-process on PGlite). */
  readonly lock: () => Promise<RecipientLock>;
  /** Whether an earlier transfer still has a job queued, running or waiting to retry. */
  readonly inFlight: (transfer: { id: string; runId: string }) => Promise<boolean>;
  /** How long a job waits before it tries the recipient again. */
  readonly waitMs?: () => number;
}

/**
 * Runs a feed or deliver step inside the recipient's critical section, or, when another worker holds the
 * recipient, puts the job back to wait without spending one of its attempts (BullMQ: moveToDelayed with
 * the job's token, then DelayedError). A feed step with `after` also waits while an earlier transfer to
 * the same recipient is still on its way, so a recipient has at most one feed in flight and receives its
 * runs in the order they were started.
 */
export function recipientGate(ctx: HubContext, deps: RecipientGateDeps) {
  const waitMs = deps.waitMs ?? (() => 500 + Math.floor(Math.random() * 1000));
  return async <T>(
    job: Job,
    token: string | undefined,
    recipientId: string,
    work: () => Promise<T>,
    options: { after?: string } = {},
  ): Promise<T> => {
    const lock = await deps.lock();
    const outcome = await lock.tryWith(recipientId, async (): Promise<Step<T>> => {
      if (options.after !== undefined) {
        for (const earlier of await earlierPendingTransfers(ctx.db, options.after)) {
          if (await deps.inFlight(earlier)) return { done: false, waitFor: earlier.id };
        }
      }
      return { done: true, value: await work() };
    });
    if (outcome.acquired && outcome.value.done) return outcome.value.value;
    const why = !outcome.acquired
      ? { lock: outcome.reason }
      : outcome.value.done
        ? {}
        : { waitFor: outcome.value.waitFor };
    if (token === undefined) {
      // Only a Worker gives a token; without one the job cannot be rescheduled, so let it retry.
      throw new Error(`recipient ${recipientId} is busy; try again`);
    }
    const delay = waitMs();
    ctx.logger.debug(
      {
        recipientId,
        job: job.name,
        jobId: job.id,
        delayMs: delay,
        ...why,
      },
      'recipient busy; job waits',
    );
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  };
}

export type RecipientGate = ReturnType<typeof recipientGate>;
