import { assertNever } from '../errors/index.js';
import { findFeed } from '../feed/feed-repository.js';
import { findDeliveryAfter } from '../transfer/transfer-listings.js';
import { failTransferIfPending, listRunTransfers } from '../transfer/transfer-repository.js';
import { closeAbandonedRun } from './close-abandoned-run.js';
import type { RunOutcome } from './finish-run.js';
import type { HubContext } from './hub-context.js';
import { currentProcess, type ProcessIdentity } from './process-identity.js';
import { listRunningRuns } from './run-repository.js';
import type { Run } from './run.js';
import { checkLocalOwner, runOwnerOf } from './run-owner.js';

/**
 * What the shared queues (REDIS_URL) hold of one run, as `jobs/` reads it from BullMQ: `live` while any
 * of its jobs waits, runs, is delayed for a retry or waits for its children; `ended` when the queue
 * still holds its jobs but all of them are over; `absent` when it holds none (never enqueued: the
 * process that recorded it died first; or the queue lost its data).
 */
export type QueuedRunState = 'live' | 'ended' | 'absent';

/** The shared queues, as recovery needs them; implemented in `jobs/` (the core knows no BullMQ). */
export interface RunQueue {
  state(run: { readonly runId: string; readonly recipientIds: readonly string[] }): Promise<QueuedRunState>;
  /** Enqueues the run again; its job ids are derived from the run id, so a job still there is kept. */
  resume(runId: string): Promise<void>;
}

export interface RecoveryOptions {
  /** The shared queues; without them a shared-queue run is left as it is (unchecked). */
  readonly queue?: RunQueue;
  /** This process holds the hub database alone (see checkLocalOwner). */
  readonly exclusive?: boolean;
  readonly here?: ProcessIdentity;
}

export interface RecoveryReport {
  /** Runs closed because their owner was gone. */
  readonly closed: readonly RunOutcome[];
  /** Shared-queue runs enqueued again. */
  readonly resumed: readonly string[];
  /** Running runs whose owner is gone but which could not be recovered now, with why: stuck. */
  readonly stuck: ReadonlyMap<string, string>;
  /** Running runs whose owner this process cannot check, with why. */
  readonly unchecked: ReadonlyMap<string, string>;
}

type Verdict =
  | { readonly action: 'leave'; readonly why?: string }
  | { readonly action: 'close'; readonly why: string }
  | { readonly action: 'resume' };

/**
 * Run at the start of every command that opens the hub: finds runs still `running` whose owner is gone
 * and settles them. An in-process or private-queue run whose process ended is closed (closeAbandonedRun:
 * deliveries the recipient holds are acknowledged, the rest fail for `retry`); running its remaining
 * steps here instead would make any command, even `runs`, deliver feeds. A shared-queue run the queue no
 * longer holds is enqueued again for the worker pool, after failing any transfer whose written feed a
 * later delivery to the same recipient has overtaken; one whose jobs all ended without finishing it is
 * closed. A run that cannot be settled now is reported stuck; recovery itself never stops the command.
 */
export async function recoverRuns(ctx: HubContext, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const here = options.here ?? currentProcess();
  const report = {
    closed: [] as RunOutcome[],
    resumed: [] as string[],
    stuck: new Map<string, string>(),
    unchecked: new Map<string, string>(),
  };
  for (const run of await listRunningRuns(ctx.db)) {
    let verdict: Verdict;
    try {
      verdict = await judge(run, { ...options, here });
    } catch (error) {
      report.unchecked.set(run.id, `its owner could not be checked: ${messageOf(error)}`);
      continue;
    }
    try {
      if (verdict.action === 'close') {
        const outcome = await closeAbandonedRun(ctx, run.id, verdict.why, { from: runOwnerOf(run), here });
        if (outcome !== undefined) report.closed.push(outcome);
      } else if (verdict.action === 'resume') {
        await failOvertakenTransfers(ctx, run);
        await options.queue!.resume(run.id);
        ctx.logger.warn({ runId: run.id }, 'run lost from the shared queue; enqueued again');
        report.resumed.push(run.id);
      } else if (verdict.why !== undefined) {
        report.unchecked.set(run.id, verdict.why);
      }
    } catch (error) {
      const why = verdict.action === 'close' ? verdict.why : 'the shared queue lost it';
      report.stuck.set(run.id, `${why}; recovering it failed: ${messageOf(error)}`);
      ctx.logger.error({ runId: run.id, why, err: messageOf(error) }, 'run stuck: recovery failed');
    }
  }
  return report;
}

async function judge(run: Run, options: RecoveryOptions & { here: ProcessIdentity }): Promise<Verdict> {
  const owner = runOwnerOf(run);
  if (owner?.execution === 'shared-queue') {
    if (options.queue === undefined) {
      return { action: 'leave', why: 'its jobs are on the shared queues (REDIS_URL), not reachable here' };
    }
    const state = await options.queue.state({ runId: run.id, recipientIds: run.recipientIds });
    switch (state) {
      case 'live':
        return { action: 'leave' };
      case 'absent':
        return { action: 'resume' };
      case 'ended':
        return { action: 'close', why: 'its jobs on the shared queue ended without finishing it' };
      default:
        return assertNever(state);
    }
  }
  const check = checkLocalOwner(owner, options);
  if (check.state === 'alive') return { action: 'leave' };
  return check.state === 'gone' ? { action: 'close', why: check.why } : { action: 'leave', why: check.why };
}

/**
 * A pending transfer whose feed was written before the recipient received a later transfer would send
 * out-of-date data if it went now (the check `retry` makes too): it fails instead.
 */
async function failOvertakenTransfers(ctx: HubContext, run: Run): Promise<void> {
  for (const transfer of await listRunTransfers(ctx.db, run.id)) {
    if (transfer.status !== 'pending') continue;
    const feed = await findFeed(ctx.db, transfer.feedId);
    if (feed?.status !== 'written' || feed.writtenAt === null) continue;
    const later = await findDeliveryAfter(ctx.db, transfer.recipientId, new Date(feed.writtenAt));
    if (later === undefined) continue;
    await failTransferIfPending(
      ctx.db,
      transfer.id,
      `overtaken: ${transfer.recipientId} received ${later.transferId} after this feed was written`,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
