import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { removeRosterSpool } from '../spool/index.js';
import { listRunTransfers } from '../transfer/transfer-repository.js';
import type { RunOutcome } from './finish-run.js';
import type { HubContext } from './hub-context.js';
import { runSpoolPaths } from './run-paths.js';
import { findRun } from './run-repository.js';

/**
 * An operator ends a running run: it becomes `failed` with "cancelled by BY: REASON", and so does each
 * of its pending transfers (`pifu-hub retry` can still send one); held transfers stay held for their
 * own decision, delivered ones stay delivered. Steps of the run still under way elsewhere deliver
 * nothing more (a failed transfer is not sent), though a delivery already in the transport's hands is
 * still acknowledged when it completes, since the recipient then holds it. Refused for an unknown run
 * and for one that has finished.
 */
export async function cancelRun(
  ctx: HubContext,
  runId: string,
  cancellation: {
    readonly by: string;
    readonly reason: string;
    /** Runs in the cancellation's transaction (the operation's audit row). */
    readonly alsoInTransaction?: (trx: Kysely<HubDatabase>) => Promise<void>;
  },
): Promise<RunOutcome> {
  if (cancellation.reason.trim() === '') {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      'reason: cancelling a run needs a reason (--reason TEXT); it is kept with the run and its transfers',
    );
  }
  const run = await findRun(ctx.db, runId);
  if (run === undefined) {
    throw new HubError('PIFU_RUN_UNKNOWN', `no run "${runId}"; list runs with \`pifu-hub runs\``);
  }
  const error = `cancelled by ${cancellation.by}: ${cancellation.reason.trim()}`;
  const cancelled = await ctx.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('hub.run')
      .set({ status: 'failed', error, finished_at: ctx.now() })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    await trx
      .updateTable('hub.transfer')
      .set({ status: 'failed', error })
      .where('run_id', '=', runId)
      .where('status', '=', 'pending')
      .execute();
    await cancellation.alsoInTransaction?.(trx);
    return true;
  });
  if (!cancelled) {
    const finished = (await findRun(ctx.db, runId)) ?? run;
    throw new HubError(
      'PIFU_RUN_FINISHED',
      `run ${runId} has already finished (${finished.status}); only a running run can be cancelled`,
    );
  }
  await removeRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  const transfers = await listRunTransfers(ctx.db, runId);
  const count = (...statuses: string[]) =>
    transfers.filter((transfer) => statuses.includes(transfer.status)).length;
  ctx.logger.warn({ runId, by: cancellation.by }, 'run cancelled');
  return {
    runId,
    status: 'failed',
    delivered: count('delivered'),
    failed: count('failed', 'pending'),
    held: count('held'),
    skipped: count('skipped', 'rejected', 'deferred'),
    offered: count('offered'),
  };
}
