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
}

/**
 * Closes a run once each of its transfers is delivered or dead: `completed` when all were delivered,
 * `failed` (naming the recipients) otherwise. The roster spool is removed; feed files stay for
 * `retry` and inspection until retention removes them.
 */
export async function finishRun(ctx: HubContext, runId: string): Promise<RunOutcome> {
  const transfers = await listRunTransfers(ctx.db, runId);
  const undelivered = transfers.filter((transfer) => transfer.status !== 'delivered');
  const status = undelivered.length === 0 ? 'completed' : 'failed';
  const error =
    undelivered.length === 0
      ? undefined
      : `not delivered to ${undelivered.map((transfer) => transfer.recipient_id).join(', ')}`;
  await recordRunFinished(ctx.db, runId, { status, error, finishedAt: ctx.now() });
  await removeRosterSpool(runSpoolPaths(ctx.spoolDir, runId).rosterDir);
  const outcome = {
    runId,
    status,
    delivered: transfers.length - undelivered.length,
    failed: undelivered.length,
  } as const;
  (status === 'completed' ? ctx.logger.info.bind(ctx.logger) : ctx.logger.error.bind(ctx.logger))(
    outcome,
    'run finished',
  );
  return outcome;
}
