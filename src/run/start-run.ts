import type { Kysely } from 'kysely';
import type { HubDatabase } from '../db/index.js';
import { HubError } from '../errors/index.js';
import { insertFeed } from '../feed/feed-repository.js';
import type { FeedType } from '../model/index.js';
import { insertTransfer } from '../transfer/transfer-repository.js';
import type { TransferTrigger } from '../transfer/transfer-trigger.js';
import type { HubContext } from './hub-context.js';
import { newRunId, runIds } from './run-ids.js';
import type { RunOwner } from './run-owner.js';
import { insertRun } from './run-repository.js';

export interface RunRequest {
  readonly recipientIds: readonly string[];
  readonly trigger: TransferTrigger;
  readonly feedType: FeedType;
  /** Per recipient, where they differ from `feedType` (a scheduler slot with fulls and deltas due). */
  readonly feedTypes?: Readonly<Record<string, FeedType>>;
  readonly requestedBy?: string;
  /** Given by the scheduler (deterministic per slot); otherwise a fresh one. */
  readonly runId?: string;
  /** The operator's reason; required for a resync, shown with the run and its transfers. */
  readonly reason?: string;
  /** A resync sends again part (or all) of what the recipients hold: a school, a person, or everything. */
  readonly resync?: { readonly school?: string; readonly person?: string };
  /**
   * The operator confirms that the source really shrank (a school closed, the school-year rollover):
   * the source sanity guard lets this run's snapshot through, and it is the next run's baseline.
   */
  readonly acceptSourceDrop?: { readonly reason: string };
  /** Who carries the run out, so a later command can tell when it is gone (see recoverRuns). */
  readonly owner?: RunOwner;
}

/**
 * Records a run with one pending feed and one pending transfer per recipient, in one transaction, so
 * every later step (on any worker) finds its rows by id. Unknown recipients fail the whole request.
 */
export async function startRun(
  ctx: HubContext,
  request: RunRequest,
  options: { alsoInTransaction?: (trx: Kysely<HubDatabase>, runId: string) => Promise<void> } = {},
): Promise<string> {
  const unknown = request.recipientIds.filter((id) => !ctx.recipients.has(id));
  if (unknown.length > 0) {
    const known = [...ctx.recipients.keys()].join(', ');
    throw new HubError(
      'PIFU_RECIPIENT_UNKNOWN',
      `no recipient "${unknown.join('", "')}"; configured: ${known}`,
    );
  }
  if (request.trigger === 'resync' && (request.reason === undefined || request.reason.trim() === '')) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      'reason: a resync needs a reason (--reason TEXT); it is logged with the transfers',
    );
  }
  if (request.acceptSourceDrop !== undefined && request.acceptSourceDrop.reason.trim() === '') {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      'reason: accepting a source drop needs a reason (--reason TEXT); it is kept with the run',
    );
  }
  if (request.recipientIds.length === 0) {
    throw new HubError(
      'PIFU_USAGE_INVALID',
      'recipients: none chosen; name one with --recipient or use --all',
    );
  }
  const runId = request.runId ?? newRunId(ctx.now());
  const ids = runIds(runId);
  await ctx.db.transaction().execute(async (trx) => {
    await insertRun(trx, {
      id: runId,
      trigger: request.trigger,
      requestedBy: request.requestedBy,
      recipientIds: request.recipientIds,
      reason: request.reason,
      resync: request.trigger === 'resync' ? { ...request.resync } : undefined,
      acceptSourceDropReason: request.acceptSourceDrop?.reason,
      owner: request.owner,
    });
    for (const recipientId of request.recipientIds) {
      const recipient = ctx.recipients.get(recipientId)!;
      const feedType = request.feedTypes?.[recipientId] ?? request.feedType;
      await insertFeed(trx, { id: ids.feedId(recipientId), runId, recipientId, feedType });
      await insertTransfer(trx, {
        id: ids.transferId(recipientId),
        feedId: ids.feedId(recipientId),
        runId,
        recipientId,
        transportKind: recipient.transport.kind,
        trigger: request.trigger,
      });
    }
    await options.alsoInTransaction?.(trx, runId);
  });
  ctx.logger.info(
    { runId, recipients: request.recipientIds.length, trigger: request.trigger },
    'run started',
  );
  return runId;
}
