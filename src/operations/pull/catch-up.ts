import { startRun, type RunRequest } from '../../run/index.js';
import {
  listDeferredTransfers,
  recordDeferredCaughtUp,
  type DeferredTransfer,
} from '../../transfer/index.js';
import type { OperationContext } from '../operation-context.js';
import { reportRun, type RunReport } from '../run-report.js';

/**
 * Records one run that catches up the feeds deferred while the recipient had not acknowledged
 * `acknowledged`: a delta (a full when any deferred feed was one) against the state just acknowledged,
 * from a new snapshot — deltas reconcile, so one run carries everything they would have. It keeps their
 * accountability: the newest one's trigger and requester, their reasons, and any resync's scope (two
 * different scopes resend everything, which is never less than either). The deferred transfers become
 * `skipped`, naming the run, in the run's own recording transaction. Undefined when nothing was deferred.
 */
export async function catchUpDeferred(
  ctx: OperationContext,
  recipientId: string,
  acknowledged: string,
): Promise<string | undefined> {
  const deferred = await listDeferredTransfers(ctx.db, recipientId);
  const newest = deferred.at(-1);
  if (newest === undefined) return undefined;
  const ids = deferred.map((transfer) => transfer.transferId);
  const resync = mergedResync(deferred);
  const reasons = [
    ...new Set(deferred.flatMap((transfer) => (transfer.reason === null ? [] : [transfer.reason]))),
  ];
  const request: RunRequest = {
    recipientIds: [recipientId],
    trigger: resync === undefined ? newest.trigger : 'resync',
    feedType: deferred.some((transfer) => transfer.feedType === 'full') ? 'full' : 'delta',
    requestedBy: newest.requestedBy ?? 'pifu-hub',
    reason: [`catch-up of ${ids.join(', ')} after ${recipientId} acknowledged ${acknowledged}`, ...reasons]
      .join('; ')
      .slice(0, 2_000),
    ...(resync === undefined ? {} : { resync }),
  };
  return startRun(ctx, request, {
    alsoInTransaction: (trx, runId) =>
      recordDeferredCaughtUp(trx, ids, `deferred behind ${acknowledged}; caught up by ${runId}`),
  });
}

function mergedResync(deferred: readonly DeferredTransfer[]): RunRequest['resync'] {
  const scopes = deferred.filter((transfer) => transfer.trigger === 'resync').map((t) => t.resync ?? {});
  if (scopes.length === 0) return undefined;
  const distinct = new Set(scopes.map((scope) => JSON.stringify(scope)));
  return distinct.size === 1 ? scopes[0] : {};
}

/**
 * Hands the catch-up run to the worker pool, or runs it here when there is none. The acknowledgement
 * has committed by now, so a failure to start the run is reported with it, not thrown: the next
 * scheduled run catches up as well, since deltas reconcile.
 */
export async function executeCatchUp(
  ctx: OperationContext,
  runId: string,
): Promise<RunReport | { readonly runId: string; readonly status: 'running'; readonly error: string }> {
  try {
    if (ctx.executor.detachable) {
      await ctx.executor.enqueue(runId);
      return { runId, status: 'enqueued', feeds: [] };
    }
    await ctx.executor.execute(runId);
    return await reportRun(ctx, runId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.logger.error({ runId, err: message }, 'catch-up run could not be started');
    return { runId, status: 'running', error: message };
  }
}
