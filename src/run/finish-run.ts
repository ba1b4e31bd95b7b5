import { listRunTransfers } from '../transfer/transfer-repository.js';
import { removeRosterSpool } from '../spool/index.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';
import { recordRunFinished } from './run-repository.js';

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
 * failed, `failed` (naming the recipients) otherwise; a run whose snapshot failed (or was stopped by
 * the source guard) says why in the snapshot's own words. A hold is an operator's decision, not a failure,
 * and a feed offered to a pull recipient waits for the recipient, not for the run: the run is closed
 * with it offered, so no run stays `running` because a recipient is away. The roster spool is removed;
 * feed files stay for `retry`, the pull endpoint and inspection until retention removes them.
 */
export async function finishRun(
  ctx: HubContext,
  runId: string,
  options: { snapshotError?: string } = {},
): Promise<RunOutcome> {
  const transfers = await listRunTransfers(ctx.db, runId);
  const count = (status: string): number => transfers.filter((transfer) => transfer.status === status).length;
  const undelivered = transfers.filter(
    (transfer) => transfer.status === 'failed' || transfer.status === 'pending',
  );
  const status = undelivered.length === 0 && options.snapshotError === undefined ? 'completed' : 'failed';
  const error =
    options.snapshotError ??
    (undelivered.length === 0
      ? undefined
      : `not delivered to ${undelivered.map((transfer) => transfer.recipient_id).join(', ')}`);
  await recordRunFinished(ctx.db, runId, { status, error, finishedAt: ctx.now() });
  await removeRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  const outcome = {
    runId,
    status,
    delivered: count('delivered'),
    failed: undelivered.length,
    held: count('held'),
    skipped: count('skipped') + count('rejected') + count('deferred'),
    offered: count('offered'),
  } as const;
  (status === 'completed' ? ctx.logger.info.bind(ctx.logger) : ctx.logger.error.bind(ctx.logger))(
    outcome,
    'run finished',
  );
  return outcome;
}
