import { HubError } from '../errors/index.js';
import { listRunTransfers } from '../transfer/transfer-repository.js';
import type { HubContext } from './hub-context.js';
import { findRun, recordRunFinished } from './run-repository.js';
import { removeUnusedRosterSpools } from './kept-spools.js';

export interface RunOutcome {
  readonly runId: string;
  readonly status: 'completed' | 'failed';
  readonly delivered: number;
  readonly failed: number;
  /** Deltas over a safety threshold, waiting for `pifu-hub hold approve|reject`. */
  readonly held: number;
  /** Empty or frozen deltas, and feeds deferred behind an unacknowledged pull: nothing sent now. */
  readonly skipped: number;
  /** Feeds a pull recipient may fetch; delivered when it acknowledges them, after the run is closed. */
  readonly offered: number;
}

/**
 * Closes a run once each of its transfers is delivered, skipped, held or dead: `completed` when none
 * failed, `failed` (naming the recipients, after `why` when given) otherwise. A hold is an operator's
 * decision, not a failure. A `failure` of the run as a whole (its snapshot could not be read) makes it
 * `failed` whatever its transfers say, and comes first in its error. The roster spool is removed unless a
 * later run needs it (kept-spools.ts); feed
 * files stay for `retry` and inspection until retention removes them. A run closed already (cancelled,
 * or by an earlier try of this step) keeps its recorded outcome unless `recount` asks for it again
 * (after a retry delivered one of its transfers). A feed offered to a pull recipient waits for the
 * recipient, not for the run: the run is closed with it offered, so no run stays `running` because a
 * recipient is away.
 */
export async function finishRun(
  ctx: HubContext,
  runId: string,
  options: { failure?: string; why?: string; recount?: boolean } = {},
): Promise<RunOutcome> {
  const transfers = await listRunTransfers(ctx.db, runId);
  const count = (status: string): number => transfers.filter((transfer) => transfer.status === status).length;
  const undelivered = transfers.filter(
    (transfer) => transfer.status === 'failed' || transfer.status === 'pending',
  );
  const counted = undelivered.length === 0 && options.failure === undefined ? 'completed' : 'failed';
  const missed =
    undelivered.length === 0
      ? undefined
      : `not delivered to ${undelivered.map((transfer) => transfer.recipientId).join(', ')}`;
  const reasons = [
    ...(options.failure === undefined ? [] : [options.failure]),
    ...(missed === undefined ? [] : [options.why === undefined ? missed : `${options.why}; ${missed}`]),
  ];
  await recordRunFinished(ctx.db, runId, {
    status: counted,
    error: reasons.length === 0 ? undefined : reasons.join('; '),
    finishedAt: ctx.now(),
    onlyIfRunning: options.recount !== true,
  });
  const recorded = (await findRun(ctx.db, runId))?.status;
  if (recorded === undefined) {
    // Never report an outcome for a run this database does not hold (a worker on another database).
    throw new HubError('PIFU_RUN_UNKNOWN', `run ${runId} does not exist in this hub database`);
  }
  await removeUnusedRosterSpools(ctx, runId);
  const outcome = {
    runId,
    status: recorded === 'completed' || recorded === 'failed' ? recorded : counted,
    delivered: count('delivered'),
    failed: undelivered.length,
    held: count('held'),
    skipped: count('skipped') + count('rejected') + count('deferred'),
    offered: count('offered'),
  } as const;
  (outcome.status === 'completed' ? ctx.logger.info.bind(ctx.logger) : ctx.logger.error.bind(ctx.logger))(
    outcome,
    'run finished',
  );
  return outcome;
}
