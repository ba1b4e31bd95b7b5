import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { closeAbandonedRun, currentProcess, startRun, type RunOwner, type RunRequest } from '../run/index.js';
import type { AuditTrail } from './audited.js';
import type { OperationContext } from './operation-context.js';
import { reportRun, type RunObserver, type RunReport } from './run-report.js';

/**
 * Records a run — its audit row in the same transaction, so a run never exists without its "who and
 * why" — then carries it out through the executor, or hands it to the worker pool (`detach`). A detached
 * run needs a pool that outlives this process; that is checked before anything is recorded.
 */
export async function recordAndExecuteRun(
  ctx: OperationContext,
  trail: AuditTrail,
  request: RunRequest,
  options: {
    readonly detach?: boolean;
    readonly observer?: RunObserver | undefined;
    /** False when the operation already wrote its audit row with an earlier effect (forget). */
    readonly audit?: boolean;
    /** More of the operation's effect, committed with the run (import: the file's hub keys). */
    readonly inTransaction?: (trx: Kysely<HubDatabase>, runId: string) => Promise<void>;
    /** Before the run is carried out or handed over (import: its snapshot, spooled from the file). */
    readonly beforeExecute?: (runId: string) => Promise<void>;
  } = {},
): Promise<RunReport> {
  if (options.detach === true && !ctx.executor.detachable) {
    throw new HubError(
      'PIFU_QUEUE_UNAVAILABLE',
      '--detach hands the run to a worker pool, and there is none: set REDIS_URL to the shared Redis ' +
        'that `pifu-hub worker` processes use (the private redis-server ends with this command)',
    );
  }
  const owner = { execution: ctx.executor.execution(options.detach === true), process: currentProcess() };
  const runId = await startRun(
    ctx,
    { ...request, owner },
    {
      alsoInTransaction: async (trx, id) => {
        await options.inTransaction?.(trx, id);
        if (options.audit === false) return;
        trail.detail = trail.detail === undefined ? id : `${id}: ${trail.detail}`;
        await trail.done(trx);
      },
    },
  );
  if (options.beforeExecute !== undefined) {
    try {
      await options.beforeExecute(runId);
    } catch (error) {
      await closeStoppedRun(ctx, runId, owner, error);
      throw error;
    }
  }
  if (options.detach === true) {
    await ctx.executor.enqueue(runId);
    return { runId, status: 'enqueued', feeds: [] };
  }
  options.observer?.recorded(runId, request.recipientIds);
  try {
    await ctx.executor.execute(runId);
  } catch (error) {
    // Only this process could carry on with a run of its own (the shared queues' runs have the pool).
    if (owner.execution !== 'shared-queue') await closeStoppedRun(ctx, runId, owner, error);
    throw error;
  } finally {
    await options.observer?.finished();
  }
  return reportRun(ctx, runId);
}

/** Closes a run this process stopped carrying out; if that fails too, the next command recovers it. */
async function closeStoppedRun(
  ctx: OperationContext,
  runId: string,
  owner: RunOwner,
  error: unknown,
): Promise<void> {
  const why = error instanceof Error ? error.message : String(error);
  await closeAbandonedRun(ctx, runId, `the export stopped: ${why}`, { from: owner }).catch(
    (closing: unknown) =>
      ctx.logger.error(
        { runId, err: closing instanceof Error ? closing.message : String(closing) },
        'could not close the stopped run; the next command recovers it',
      ),
  );
}
